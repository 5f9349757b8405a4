package io.x0tta6bl4;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDateTime;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Keeps the package map of DESIGN.md §2: arrows point down only. Each row of the table there is
 * one rule below; a package that does not exist yet passes vacuously, so adding it later is
 * checked from its first class.
 */
class ArchitectureTest {
    private static final String ROOT = "io.x0tta6bl4";
    private static JavaClasses classes;

    @BeforeAll
    static void importProductionClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages(ROOT);
    }

    /** The rules below allow empty packages; they would all pass vacuously if nothing were imported. */
    @Test
    void theRulesSeeTheProductionClasses() {
        assertThat(classes.contain(io.x0tta6bl4.crypto.Envelope.class)).isTrue();
        assertThat(classes.contain(io.x0tta6bl4.ledger.RaftLedger.class)).isTrue();
        assertThat(classes.stream().filter(c -> c.getPackageName().startsWith(ROOT + ".cli"))).isNotEmpty();
    }

    @ParameterizedTest(name = "{0} must not depend on {1}")
    @CsvSource(delimiter = '|', textBlock = """
            crypto        | time,identity,policy,ledger,governance,monitor,ml,autonomic,mesh,orchestration,transport,api,node,cli,bench
            identity      | policy,ledger,governance,monitor,ml,autonomic,mesh,orchestration,transport,api,node,cli,bench
            policy        | ledger,governance,monitor,ml,autonomic,mesh,orchestration,transport,api,node,cli,bench
            ledger        | policy,governance,monitor,ml,autonomic,mesh,orchestration,transport,api,node,cli,bench
            governance    | monitor,ml,autonomic,orchestration,transport,api,node,cli,bench
            monitor       | governance,ml,autonomic,mesh,orchestration,api,node,cli,bench
            ml            | crypto,identity,policy,ledger,governance,monitor,autonomic,mesh,orchestration,transport,api,node,cli,bench
            autonomic     | api,node,cli,bench
            mesh          | autonomic,governance,orchestration,api,node,cli,bench
            orchestration | autonomic,governance,mesh,api,node,cli,bench
            transport     | autonomic,governance,monitor,mesh,orchestration,api,node,cli,bench
            api           | node,cli,bench
            node          | cli,bench
            bench         | cli
            time          | crypto,identity,policy,ledger,governance,monitor,ml,autonomic,mesh,orchestration,transport,api,node,cli,bench
            """)
    void layering(String from, String forbidden) {
        String[] targets = forbidden.split(",");
        for (int i = 0; i < targets.length; i++) {
            targets[i] = ROOT + "." + targets[i].strip() + "..";
        }
        ArchRule rule = noClasses().that().resideInAPackage(ROOT + "." + from + "..")
                .should().dependOnClassesThat().resideInAnyPackage(targets)
                .allowEmptyShould(true);
        rule.check(classes);
    }

    @Test
    void mlIsPureMathOnTheJdk() {
        noClasses().that().resideInAPackage(ROOT + ".ml..")
                .should().dependOnClassesThat().resideOutsideOfPackages(ROOT + ".ml..", "java..")
                .allowEmptyShould(true)
                .check(classes);
    }

    /** STYLE.md: don't let an engine's types leak. Ratis lives behind the Ledger interface. */
    @Test
    void ratisStaysInsideTheLedgerPackage() {
        noClasses().that().resideOutsideOfPackage(ROOT + ".ledger..")
                .should().dependOnClassesThat().resideInAPackage("org.apache.ratis..")
                .check(classes);
    }

    /**
     * DESIGN.md §3 rule 2: core code takes time and randomness as arguments; only the edges (the
     * command, the composition root, the process manager and the harnesses) may read the clock,
     * sleep or draw from an unseeded generator, so a simulation on virtual time replays exactly.
     */
    @Test
    void coreNeverReadsTheWallClockSleepsOrDrawsUnseededRandomness() {
        String[] edges = {ROOT + ".cli..", ROOT + ".node..", ROOT + ".orchestration..", ROOT + ".bench.."};
        noClasses().that().resideOutsideOfPackages(edges)
                .should().callMethod(System.class, "currentTimeMillis")
                .orShould().callMethod(Instant.class, "now")
                .orShould().callMethod(InstantSource.class, "system")
                .orShould().callMethod(Clock.class, "systemUTC")
                .orShould().callMethod(Clock.class, "systemDefaultZone")
                .orShould().callMethod(LocalDateTime.class, "now")
                .orShould().callMethod(Thread.class, "sleep", long.class)
                .orShould().callMethod(Thread.class, "sleep", Duration.class)
                .orShould().callMethod(TimeUnit.class, "sleep", long.class)
                .orShould().callConstructor(Random.class)
                .orShould().callMethod(Math.class, "random")
                .orShould().callMethod(ThreadLocalRandom.class, "current")
                .check(classes);
    }
}
