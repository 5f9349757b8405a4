package io.x0tta6bl4.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

/** Suite ids are on the wire and names on the command line; both must stay put. */
class SuiteTest {
    @Test
    void idsNamesAndCiphertextLengthsArePinned() {
        assertThat(Suite.MLKEM768.id()).isEqualTo(1);
        assertThat(Suite.XWING.id()).isEqualTo(2);
        assertThat(Suite.MLKEM768.cliName()).isEqualTo("mlkem768");
        assertThat(Suite.XWING.cliName()).isEqualTo("xwing");
        assertThat(Suite.MLKEM768.kemCiphertextLength()).isEqualTo(1088);
        assertThat(Suite.XWING.kemCiphertextLength()).isEqualTo(1120);
        assertThat(Suite.DEFAULT).isEqualTo(Suite.XWING);
    }

    @Test
    void lookupByIdAndByName() {
        for (Suite s : Suite.values()) {
            assertThat(Suite.byId(s.id())).contains(s);
            assertThat(Suite.byName(s.cliName())).isEqualTo(s);
        }
        assertThat(Suite.byId(0)).isEmpty();
        assertThat(Suite.byId(9)).isEmpty();
    }

    @Test
    void unknownNameIsRefusedWithTheValidNames() {
        assertThatIllegalArgumentException().isThrownBy(() -> Suite.byName("nope"))
                .withMessageContaining("'nope'")
                .withMessageContaining("mlkem768, xwing");
        assertThatIllegalArgumentException().as("names are case-sensitive").isThrownBy(() -> Suite.byName("XWING"));
    }
}
