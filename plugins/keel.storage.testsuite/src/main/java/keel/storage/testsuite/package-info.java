/**
 * The contract suite of {@link keel.api.storage.StorageDriver}, for Keel's drivers and anyone
 * else's. Depend on {@code keel:keel.storage.testsuite} in test scope, extend
 * {@link keel.storage.testsuite.StorageDriverContract} and say how to open your driver over a
 * state root, where on the filesystem under test roots go, and what a crash of your driver leaves
 * behind; run as root (the suite makes real mounts, with {@link keel.storage.testsuite.TestMounts},
 * which also shows how a caller turns the returned mounts into {@code mount(2)} calls, including
 * {@code x-keel.chdir}). Extend it once per filesystem you support.
 *
 * <p>This jar is a test library, not a bundle: it exports nothing and is never installed.
 */
package keel.storage.testsuite;
