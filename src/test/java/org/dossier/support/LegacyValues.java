package org.dossier.support;

import org.dossier.platform.FacilityScope;
import org.dossier.platform.crypto.FieldCipher;
import org.dossier.platform.crypto.SealedValues;

import java.util.List;
import java.util.Objects;

import static org.assertj.core.api.Assertions.assertThat;

/** A row written in clear before its table was sealed, as the data-key rotation job seals it: its table's {@link SealedValues}. */
public final class LegacyValues {

    private LegacyValues() {
    }

    /** Seals what the cursor's rows of the rotation job's table {@code name} (facility 1) still hold in clear; there must be some. */
    public static void seal(List<SealedValues> tables, FieldCipher cipher, String name, long cursor) {
        SealedValues table = tables.stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
        List<SealedValues.Value> values = FacilityScope.asSystem(() -> table.after(1, cursor - 1, 1));
        assertThat(values).as("values left in clear in " + name).extracting(SealedValues.Value::clear).anyMatch(Objects::nonNull);
        for (SealedValues.Value v : values) {
            if (v.clear() != null) {
                assertThat(FacilityScope.asSystem(() -> table.replace(v, cipher.seal(v.cell(), v.clear())))).isTrue();
            }
        }
    }
}
