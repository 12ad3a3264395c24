/*
 * libkeel-digest: SHA-256 for the daemon's JVM, by OpenSSL's libcrypto (SHA-NI, AVX2), reached
 * with dlopen so that nothing is linked and a host without libcrypto simply keeps the JDK's.
 *
 * Why: the daemon runs C1-only (-XX:TieredStopAtLevel=1, for a fast boot), and the JDK's SHA-256
 * intrinsics exist in C2 only; C1's SHA-256 runs at a few tens of MB/s, which capped layer unpack
 * and blob verification. See keel.launcher.digest.NativeSha256.
 */
#include <dlfcn.h>
#include <jni.h>
#include <stdint.h>

typedef void *(*ctx_new_fn)(void);
typedef void (*ctx_free_fn)(void *);
typedef const void *(*md_fn)(void);
typedef int (*init_fn)(void *, const void *, void *);
typedef int (*update_fn)(void *, const void *, size_t);
typedef int (*final_fn)(void *, unsigned char *, unsigned int *);
typedef int (*copy_fn)(void *, const void *);

static ctx_new_fn ctx_new;
static ctx_free_fn ctx_free;
static md_fn sha256;
static init_fn init;
static update_fn update;
static final_fn final;
static copy_fn copy;

JNIEXPORT jboolean JNICALL Java_keel_launcher_digest_NativeSha256_load(JNIEnv *env, jclass c)
{
    (void)env;
    (void)c;
    void *lib = dlopen("libcrypto.so.3", RTLD_NOW | RTLD_LOCAL);
    if (!lib)
        return JNI_FALSE;
    ctx_new = (ctx_new_fn)dlsym(lib, "EVP_MD_CTX_new");
    ctx_free = (ctx_free_fn)dlsym(lib, "EVP_MD_CTX_free");
    sha256 = (md_fn)dlsym(lib, "EVP_sha256");
    init = (init_fn)dlsym(lib, "EVP_DigestInit_ex");
    update = (update_fn)dlsym(lib, "EVP_DigestUpdate");
    final = (final_fn)dlsym(lib, "EVP_DigestFinal_ex");
    copy = (copy_fn)dlsym(lib, "EVP_MD_CTX_copy_ex");
    return ctx_new && ctx_free && sha256 && init && update && final && copy ? JNI_TRUE : JNI_FALSE;
}

/* A new context ready for data, or 0. */
JNIEXPORT jlong JNICALL Java_keel_launcher_digest_NativeSha256_create(JNIEnv *env, jclass c)
{
    (void)env;
    (void)c;
    void *ctx = ctx_new();
    if (ctx && init(ctx, sha256(), NULL) != 1) {
        ctx_free(ctx);
        ctx = NULL;
    }
    return (jlong)(intptr_t)ctx;
}

JNIEXPORT jboolean JNICALL Java_keel_launcher_digest_NativeSha256_update(JNIEnv *env, jclass c, jlong ctx,
                                                                         jbyteArray data, jint offset, jint length)
{
    (void)c;
    /* the critical section only spans the hashing: no JNI call, no allocation, no blocking */
    jbyte *bytes = (*env)->GetPrimitiveArrayCritical(env, data, NULL);
    if (!bytes)
        return JNI_FALSE;
    int ok = update((void *)(intptr_t)ctx, bytes + offset, (size_t)length);
    (*env)->ReleasePrimitiveArrayCritical(env, data, bytes, JNI_ABORT);
    return ok == 1 ? JNI_TRUE : JNI_FALSE;
}

/* Writes the 32-byte digest to out[offset..] and makes the context ready for new data. */
JNIEXPORT jboolean JNICALL Java_keel_launcher_digest_NativeSha256_finish(JNIEnv *env, jclass c, jlong ctx,
                                                                         jbyteArray out, jint offset)
{
    (void)c;
    unsigned char digest[32];
    unsigned int length = 0;
    if (final((void *)(intptr_t)ctx, digest, &length) != 1 || length != 32)
        return JNI_FALSE;
    (*env)->SetByteArrayRegion(env, out, offset, 32, (const jbyte *)digest);
    return init((void *)(intptr_t)ctx, sha256(), NULL) == 1 ? JNI_TRUE : JNI_FALSE;
}

JNIEXPORT jboolean JNICALL Java_keel_launcher_digest_NativeSha256_reset(JNIEnv *env, jclass c, jlong ctx)
{
    (void)env;
    (void)c;
    return init((void *)(intptr_t)ctx, sha256(), NULL) == 1 ? JNI_TRUE : JNI_FALSE;
}

/* A new context in the state of ctx, or 0. */
JNIEXPORT jlong JNICALL Java_keel_launcher_digest_NativeSha256_copy(JNIEnv *env, jclass c, jlong ctx)
{
    (void)env;
    (void)c;
    void *to = ctx_new();
    if (to && copy(to, (void *)(intptr_t)ctx) != 1) {
        ctx_free(to);
        to = NULL;
    }
    return (jlong)(intptr_t)to;
}

JNIEXPORT void JNICALL Java_keel_launcher_digest_NativeSha256_free(JNIEnv *env, jclass c, jlong ctx)
{
    (void)env;
    (void)c;
    ctx_free((void *)(intptr_t)ctx);
}
