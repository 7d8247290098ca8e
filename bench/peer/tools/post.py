#!/usr/bin/env python3
"""HTTP posting for the peer benchmark (issue 21), standard library only.

  post.py patients URL TSV [--per-bundle 100] [--parallel 2] [--token T] [--header 'Name: value']...
      Registers patients (TSV: ipp, family, given, birth date, sex, INS; one a line) in FHIR transaction bundles of
      POST Patient, several bundles in flight; prints the load rate as JSON. With a token and a facility header, the same
      bundles are an import into Dossier (an administrator's token, X-Dossier-Facility).
  post.py register URL TSV --token T [--parallel 2]
      Registers the patients of TSV one by one through Dossier's REST API (POST URL/api/patients, a front desk's token),
      each with the INS of its line (a provisional identity), duplicates reviewed; prints the rate as JSON.
  post.py synthesize N SEED > TSV
      Writes N patients with realistic French names, birth dates and identifiers (for a peer without a Dossier beside it).
  post.py creates N SEED > REQUESTS
      Writes N one-shot "POST /fhir/Patient" lines (bench/wrk/replay.lua's format) of new, distinct patients.
  post.py bundles URL FOLDER [--token T] [--header 'Name: value']...
      Posts every bundle file of FOLDER to URL (the FHIR base), one after the other, the organizations' and
      practitioners' files first (Synthea's patients refer to them); prints entries/s as JSON.
"""
import concurrent.futures
import json
import os
import random
import sys
import time
import urllib.error
import urllib.request


def post(url, body, headers):
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=600) as response:
            response.read()
            return response.status, ""
    except urllib.error.HTTPError as e:
        return e.code, e.read()[:400].decode("utf-8", "replace")


def patient(row):
    ipp, family, given, birth, sex, ins = (row + [""] * 6)[:6]
    identifiers = [{"system": "urn:oid:1.2.250.1.71.4.2.7", "value": ipp}]
    if ins:
        identifiers.append({"system": "urn:oid:1.2.250.1.213.1.4.8", "value": ins})
    return {"resourceType": "Patient", "identifier": identifiers,
            "name": [{"use": "official", "family": family, "given": given.split()}],
            "gender": {"F": "female", "M": "male"}.get(sex, "unknown"), "birthDate": birth}


def load_patients(url, tsv, per_bundle, parallel, extra_headers):
    rows = [line.rstrip("\n").split("\t") for line in open(tsv, encoding="utf-8") if line.strip()]
    bundles = []
    for i in range(0, len(rows), per_bundle):
        entries = [{"resource": patient(r), "request": {"method": "POST", "url": "Patient"}} for r in rows[i:i + per_bundle]]
        bundles.append(json.dumps({"resourceType": "Bundle", "type": "transaction", "entry": entries}).encode())
    headers = {"Content-Type": "application/fhir+json", "Accept": "application/fhir+json", "Prefer": "return=minimal"}
    headers.update(extra_headers)
    start = time.time()
    with concurrent.futures.ThreadPoolExecutor(parallel) as pool:
        results = list(pool.map(lambda b: post(url, b, headers), bundles))
    seconds = time.time() - start
    failed = [r for r in results if r[0] != 200]
    for status, text in failed[:3]:
        print(f"HTTP {status}: {text}", file=sys.stderr)
    print(json.dumps({"patients": len(rows), "bundles": len(bundles), "failedBundles": len(failed),
                      "seconds": round(seconds, 1), "patientsPerSecond": round(len(rows) / seconds, 1)}))
    return 1 if failed else 0


def register_patients(url, tsv, parallel, headers):
    rows = [line.rstrip("\n").split("\t") for line in open(tsv, encoding="utf-8") if line.strip()]
    base = {"Content-Type": "application/json", "Accept": "application/json"}
    base.update(headers)

    def one(row):
        ipp, family, given, birth, sex, ins = (row + [""] * 6)[:6]
        patient = {"birthFamilyName": family, "givenNames": given, "birthDate": birth, "sex": sex,
                   "identityStatus": "PROVISIONAL", "insMatricule": ins or None, "insOid": "1.2.250.1.213.1.4.8" if ins else None}
        return post(url + "/api/patients", json.dumps({"patient": patient, "duplicatesReviewed": True}).encode(), base)

    start = time.time()
    with concurrent.futures.ThreadPoolExecutor(parallel) as pool:
        results = list(pool.map(one, rows))
    seconds = time.time() - start
    failed = [r for r in results if r[0] not in (200, 201)]
    for status, text in failed[:3]:
        print(f"HTTP {status}: {text}", file=sys.stderr)
    print(json.dumps({"patients": len(rows), "failed": len(failed), "seconds": round(seconds, 1),
                      "patientsPerSecond": round(len(rows) / seconds, 1)}))
    return 1 if failed else 0


FAMILIES = ("Martin Bernard Thomas Petit Robert Richard Durand Dubois Moreau Laurent Simon Michel Lefebvre Leroy Roux "
            "David Bertrand Morel Fournier Girard Bonnet Dupont Lambert Fontaine Rousseau Vincent Muller Lefevre Faure "
            "Andre Mercier Blanc Guerin Boyer Garnier Chevalier Francois Legrand Gauthier Garcia Perrin Robin Clement "
            "Morin Nicolas Henry Roussel Mathieu Gautier Masson Marchand Duval Denis Dumont Marie Lemaire Noel Meyer "
            "Dufour Meunier Brun Blanchard Giraud Joly Riviere Lucas Brunet Gaillard Barbier Arnaud Martinez Gerard "
            "Roche Renard Schmitt Roy Leroux Colin Vidal Caron Picard Roger Fabre Aubert Lemoine Renaud Dumas Lacroix "
            "Olivier Philippe Bourgeois Pierre Benoit Rey Leclerc Payet Rolland Leclercq Guillaume Lecomte Lopez Jean "
            "Dupuy Guillot Hubert Berger Carpentier Sanchez Dupuis Moulin Louis Deschamps Huet Vasseur Perez Boucher "
            "Fleury Royer Klein Jacquet Adam Paris Poirier Marty Aubry Guyot Carre Charles Renault Charpentier Menard "
            "Maillard Baron Bertin Bailly Herve Schneider Fernandez Le Collet Leger Bouvier Julien Prevost Millet "
            "Perrot Daniel Cousin Germain Breton Besson Langlois Remy Pelletier Leveque Perrier Leblanc Barre Lebrun "
            "Marchal Weber Mallet Hamon Boulanger Jacob Monnier Michaud Rodriguez Guichard Gillet Etienne Grondin Poulain "
            "Tessier Chevallier Collin Chauvin Bouchet Gay Lemaitre Benard Marechal Humbert Reynaud Antoine Hoarau "
            "Perret Barthelemy Cordier Pichon Lejeune Gilbert Lamy Delaunay Pasquier Carlier Laporte").split()
GIVEN_F = "Marie Jeanne Camille Louise Emma Chloe Lea Manon Ines Jade Alice Lina Rose Anna Julie Claire Sophie Nathalie Isabelle Sylvie".split()
GIVEN_M = "Jean Pierre Michel Louis Gabriel Lucas Hugo Arthur Jules Adam Paul Nathan Thomas Nicolas Philippe Alain Bernard Eric Marc Luc".split()


def synthesize(n, seed):
    rng = random.Random(seed)
    seen = set()
    for i in range(1, n + 1):
        # Each person once: Dossier refuses the same name and birth date twice within one import (and so would a desk).
        while True:
            sex = rng.choice("FM")
            given = rng.choice(GIVEN_F if sex == "F" else GIVEN_M)
            year, month, day = rng.randint(1930, 2024), rng.randint(1, 12), rng.randint(1, 28)
            family = rng.choice(FAMILIES)
            if (family, given, year, month, day) not in seen:
                seen.add((family, given, year, month, day))
                break
        nir = f"{1 if sex == 'M' else 2}{year % 100:02d}{month:02d}{rng.randint(1, 95):02d}{rng.randint(1, 999):03d}{rng.randint(1, 999):03d}"
        ins = f"{nir}{97 - int(nir) % 97:02d}"  # the NIR's key, as a real one has
        print(f"{i:09d}\t{family}\t{given}\t{year}-{month:02d}-{day:02d}\t{sex}\t{ins}")


def creates(n, seed):
    rng = random.Random(seed)
    for i in range(n):
        sex = rng.choice("FM")
        # A double family name and a birth date over 90 years: no create looks like a patient already registered
        # (Dossier asks to review a possible duplicate first).
        family = rng.choice(FAMILIES) + "-" + rng.choice(FAMILIES)
        body = {"resourceType": "Patient", "name": [{"family": family, "given": [rng.choice(GIVEN_F if sex == "F" else GIVEN_M)]}],
                "gender": "female" if sex == "F" else "male",
                "birthDate": f"{rng.randint(1930, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"}
        print("POST\t/fhir/Patient\t" + json.dumps(body, separators=(",", ":")))


def load_bundles(url, folder, headers):
    names = sorted(os.listdir(folder))
    first = [n for n in names if n.startswith(("hospitalInformation", "practitionerInformation"))]
    files = first + [n for n in names if n.endswith(".json") and n not in first]
    base = {"Content-Type": "application/fhir+json", "Accept": "application/fhir+json"}
    base.update(headers)
    entries, failed, start = 0, 0, time.time()
    for name in files:
        body = open(os.path.join(folder, name), "rb").read()
        status, text = post(url, body, base)
        if status == 200:
            entries += len(json.loads(body)["entry"])
        else:
            failed += 1
            print(f"{name}: HTTP {status} {text}", file=sys.stderr)
    seconds = time.time() - start
    print(json.dumps({"files": len(files), "failedFiles": failed, "entries": entries, "seconds": round(seconds, 2),
                      "entriesPerSecond": round(entries / seconds, 1)}))
    return 1 if failed else 0


def option(args, name, default):
    return args[args.index(name) + 1] if name in args else default


def auth_headers(args):
    headers = {}
    if "--token" in args:
        headers["Authorization"] = "Bearer " + option(args, "--token", "")
    for i, a in enumerate(args):
        if a == "--header":
            key, value = args[i + 1].split(":", 1)
            headers[key.strip()] = value.strip()
    return headers


def main(args):
    if args[0] == "patients":
        return load_patients(args[1], args[2], int(option(args, "--per-bundle", "100")), int(option(args, "--parallel", "2")),
                             auth_headers(args))
    if args[0] == "register":
        return register_patients(args[1], args[2], int(option(args, "--parallel", "2")), auth_headers(args))
    if args[0] == "synthesize":
        synthesize(int(args[1]), int(args[2]))
        return 0
    if args[0] == "creates":
        creates(int(args[1]), int(args[2]))
        return 0
    if args[0] == "bundles":
        return load_bundles(args[1], args[2], auth_headers(args))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
