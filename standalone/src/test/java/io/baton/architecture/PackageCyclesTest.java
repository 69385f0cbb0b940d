package io.baton.architecture;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The packages of every module (this one depends on all of them) depend on each other one way
 * only: each package is a slice, and no slice reaches back to one that reaches it.
 */
class PackageCyclesTest {

    static final JavaClasses MAIN = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.baton");

    @Test
    void noPackageCycles() {
        slices().matching("io.baton.(**)").should().beFreeOfCycles().check(MAIN);
    }
}
