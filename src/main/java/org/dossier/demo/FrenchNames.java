package org.dossier.demo;

import java.util.Arrays;
import java.util.List;

/** Common French names and places, so that the demo hospital looks like a French hospital's. */
final class FrenchNames {

    private FrenchNames() {
    }

    /** Most frequent first, so that a skewed draw gives "Martin" more often than "Leblanc". */
    static final List<String> FAMILY = names("""
            Martin, Bernard, Thomas, Petit, Robert, Richard, Durand, Dubois, Moreau, Laurent,
            Simon, Michel, Lefèvre, Leroy, Roux, David, Bertrand, Morel, Fournier, Girard,
            Bonnet, Dupont, Lambert, Fontaine, Rousseau, Vincent, Muller, Lefebvre, Faure, André,
            Mercier, Blanc, Guérin, Boyer, Garnier, Chevalier, François, Legrand, Gauthier, Garcia,
            Perrin, Robin, Clément, Morin, Nicolas, Henry, Roussel, Mathieu, Gautier, Masson,
            Marchand, Duval, Denis, Dumont, Marie, Lemaire, Noël, Meyer, Dufour, Meunier,
            Brun, Blanchard, Giraud, Joly, Rivière, Lucas, Brunet, Gaillard, Barbier, Arnaud,
            Martinez, Gérard, Roche, Renard, Schmitt, Roy, Leroux, Colin, Vidal, Caron,
            Picard, Roger, Fabre, Aubert, Lemoine, Renaud, Dumas, Lacroix, Olivier, Philippe,
            Bourgeois, Pierre, Benoît, Rey, Leclerc, Payet, Rolland, Leclercq, Guillaume, Lecomte,
            Lopez, Jean, Dupuy, Guillot, Hubert, Berger, Carpentier, Sanchez, Dupuis, Moulin,
            Louis, Deschamps, Huet, Vasseur, Perez, Boucher, Fleury, Royer, Klein, Jacquet,
            Adam, Paris, Poirier, Marty, Aubry, Guyot, Carré, Charles, Renault, Charpentier,
            Ménard, Maillard, Baron, Bertin, Bailly, Hervé, Schneider, Fernandez, Le Gall, Collet,
            Léger, Bouvier, Julien, Prévost, Millet, Perrot, Daniel, Le Roux, Cousin, Germain,
            Breton, Besson, Langlois, Rémy, Le Goff, Pelletier, Lévêque, Perrier, Leblanc, Barré,
            Lebrun, Marchal, Weber, Mallet, Hamon, Boulanger, Jacob, Monnier, Michaud, Rodriguez,
            Guichard, Gillet, Étienne, Grondin, Poulain, Tessier, Chevallier, Collin, Chauvin, Da Silva,
            Bouchet, Gay, Lemaître, Bénard, Maréchal, Humbert, Reynaud, Antoine, Hoarau, Perret,
            Barthélemy, Cordier, Pichon, Lejeune, Gilbert, Lamy, Delaunay, Pasquier, Carlier, Laporte
            """);

    static final List<String> GIVEN_FEMALE = names("""
            Marie, Jeanne, Françoise, Monique, Catherine, Nathalie, Isabelle, Sylvie, Anne, Martine,
            Christine, Sophie, Valérie, Sandrine, Céline, Julie, Camille, Léa, Manon, Emma,
            Chloé, Inès, Jade, Louise, Alice, Lina, Rose, Anna, Ambre, Mila,
            Hélène, Élodie, Aurélie, Émilie, Laetitia, Stéphanie, Véronique, Brigitte, Nicole, Josiane,
            Madeleine, Geneviève, Thérèse, Colette, Simone, Odette, Yvette, Agnès, Claire, Pauline,
            Margaux, Océane, Zoé, Clémence, Lucie, Mathilde, Charlotte, Juliette, Élise, Noémie,
            Maëlle, Anaïs, Laura, Sarah, Marion, Justine, Morgane, Audrey, Caroline, Virginie,
            Danielle, Jacqueline, Denise, Paulette, Suzanne, Chantal, Dominique, Patricia, Corinne, Florence
            """);

    static final List<String> GIVEN_MALE = names("""
            Jean, Pierre, Michel, André, Philippe, Alain, Bernard, Jacques, Daniel, Patrick,
            Nicolas, Christophe, Stéphane, Laurent, Frédéric, Julien, Sébastien, David, Thomas, Antoine,
            Gabriel, Léo, Raphaël, Louis, Arthur, Jules, Adam, Lucas, Hugo, Noé,
            François, Éric, Olivier, Thierry, Pascal, Didier, Gérard, Claude, René, Marcel,
            Henri, Robert, Roger, Guy, Yves, Serge, Georges, Maurice, Lucien, Joseph,
            Mathieu, Romain, Guillaume, Maxime, Alexandre, Vincent, Benoît, Jérôme, Cédric, Fabien,
            Théo, Nathan, Enzo, Tom, Clément, Baptiste, Quentin, Valentin, Paul, Victor,
            Émile, Timéo, Sacha, Martin, Aurélien, Damien, Grégory, Loïc, Yannick, Hervé
            """);

    /** Communes of the Lyon area where most patients live: name, INSEE code, postal code. */
    static final List<Commune> LOCAL_COMMUNES = communes("""
            Lyon 69123 69003, Lyon 69123 69007, Lyon 69123 69008,
            Villeurbanne 69266 69100, Vénissieux 69259 69200, Bron 69029 69500,
            Vaulx-en-Velin 69256 69120, Caluire-et-Cuire 69034 69300, Saint-Priest 69290 69800,
            Rillieux-la-Pape 69286 69140, Oullins 69149 69600, Décines-Charpieu 69275 69150,
            Meyzieu 69282 69330, Écully 69081 69130, Tassin-la-Demi-Lune 69244 69160,
            Sainte-Foy-lès-Lyon 69202 69110, Givors 69091 69700, Villefranche-sur-Saône 69264 69400,
            Vienne 38544 38200, Bourgoin-Jallieu 38053 38300, Saint-Étienne 42218 42000
            """);

    /** Birthplaces across France, for people who moved to the area. */
    static final List<Commune> BIRTH_COMMUNES = communes("""
            Lyon 69123 69002, Villeurbanne 69266 69100, Vénissieux 69259 69200,
            Bron 69029 69500, Saint-Étienne 42218 42000, Grenoble 38185 38000,
            Vienne 38544 38200, Villefranche-sur-Saône 69264 69400, Paris 75056 75001,
            Marseille 13055 13001, Toulouse 31555 31000, Nice 06088 06000,
            Nantes 44109 44000, Strasbourg 67482 67000, Montpellier 34172 34000,
            Bordeaux 33063 33000, Lille 59350 59000, Rennes 35238 35000,
            Reims 51454 51100, Dijon 21231 21000, Clermont-Ferrand 63113 63000,
            Annecy 74010 74000, Chambéry 73065 73000, Bourg-en-Bresse 01053 01000,
            Valence 26362 26000, Mâcon 71270 71000, Besançon 25056 25000,
            Ajaccio 2A004 20000, Bastia 2B033 20200, Limoges 87085 87000,
            Metz 57463 57000, Rouen 76540 76000, Tours 37261 37000,
            Brest 29019 29200, Le Havre 76351 76600, Avignon 84007 84000
            """);

    /** INSEE codes of countries of birth abroad (99 + country). */
    static final List<String> COUNTRIES_OF_BIRTH = names("""
            99350, 99352, 99351, 99134, 99127, 99139, 99109, 99132, 99131, 99328,
            99341, 99216
            """);

    static final List<String> STREET_TYPES = names("""
            rue, avenue, boulevard, place, chemin, impasse, allée, cours, quai
            """);

    static final List<String> STREET_NAMES = names("""
            de la République, Victor Hugo, Jean Jaurès, de la Paix, Pasteur, du Général de Gaulle, Gambetta, des Lilas, Émile Zola, de la Gare,
            des Écoles, du Moulin, Voltaire, Paul Bert, Garibaldi, de Marseille, Lafayette, Anatole France, des Acacias, Jean Moulin,
            de Verdun, du Lac, Édouard Herriot, de Saxe, Marcel Mérieux, des Tilleuls, de la Croix-Rousse, Saint-Jean
            """);

    static final List<String> MUTUELLES = names("""
            Harmonie Mutuelle, MGEN, Mutuelle Générale, Malakoff Humanis, AG2R La Mondiale, Groupama, Apivia, Mutuelle Familiale, Solimut, Klesia
            """);

    /** The names of a list written as text, comma-separated: easier to read and extend than a list of literals. */
    private static List<String> names(String text) {
        return Arrays.stream(text.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    /** Communes written as "name INSEE-code postal-code", comma-separated (a name may hold spaces). */
    private static List<Commune> communes(String text) {
        return names(text).stream().map(c -> {
            String[] words = c.split(" ");
            int n = words.length;
            return new Commune(String.join(" ", Arrays.copyOf(words, n - 2)), words[n - 2], words[n - 1]);
        }).toList();
    }

    record Commune(String name, String inseeCode, String postalCode) {
    }
}
