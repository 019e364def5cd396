/**
 * Pagewise's internals shared between its own modules: argument checks, message formatting, the listener
 * and JFR plumbing, the caller check behind restricted methods, and the bridge to package-private core
 * operations. Exported to {@code dev.pagewise.os} only; not an API, and it changes without notice.
 */
package dev.pagewise.core.internal;
