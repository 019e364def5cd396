/**
 * Contract suites for implementations of {@link dev.pagewise.core.FixedRange},
 * {@link dev.pagewise.core.OsBacked} and {@link dev.pagewise.core.Allocator}. Pagewise runs them against
 * every implementation of its own; a third party runs them against theirs:
 *
 * {@snippet lang=java :
 * class NativeBackedContractTest extends FixedRangeContract {
 *     @Override
 *     protected FixedRange create(long byteSize) {
 *         return NativeBacked.allocate(byteSize);   // your own range here
 *     }
 * }
 * }
 *
 * The suites call restricted methods ({@link dev.pagewise.core.FixedRange#segment()}): run them with
 * native access ({@code --enable-native-access=ALL-UNNAMED} on the class path).
 */
package dev.pagewise.testkit;
