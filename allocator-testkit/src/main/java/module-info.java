/**
 * The contract suites of Pagewise's interfaces, as abstract JUnit 5 classes: extend one, say how to make
 * the implementation under test, and JUnit runs every clause of the contract against it.
 */
module dev.pagewise.testkit {
    requires transitive dev.pagewise.core;
    requires transitive org.junit.jupiter.api;

    exports dev.pagewise.testkit;
}
