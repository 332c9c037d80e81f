
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * libFuzzer target of the CENC rewriters (src/media/crypto): any input
 * given to the init segment rewriter and to the fragment encryptor
 * (AVC subsamples, AAC whole samples; 'cenc', 'cbcs', PIFF, chosen by
 * the first byte) must be refused or give output whose size is the one
 * announced and that the CMAF reader parses to the same sample count.
 * Seeds: t/fuzz/corpus/cenc (the CMAF fragments of t/fuzz/corpus/cmaf
 * and an init segment).
 */


#include <stdlib.h>

#include "media/container/sluice_cmaf.h"
#include "media/crypto/sluice_cenc_init.h"
#include "media/crypto/sluice_cenc_fragment.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


#define FUZZ_MAX_ALLOCS  4096

static void    *fuzz_allocs[FUZZ_MAX_ALLOCS];
static size_t   fuzz_nallocs;


static void *
fuzz_alloc(void *ctx, size_t size)
{
    void  *p;

    if (fuzz_nallocs == FUZZ_MAX_ALLOCS) {
        return NULL;
    }

    p = malloc(size ? size : 1);
    fuzz_allocs[fuzz_nallocs++] = p;

    return p;
}


static void
fuzz_free(void)
{
    while (fuzz_nallocs) {
        free(fuzz_allocs[--fuzz_nallocs]);
    }
}


static void
fuzz_init(const uint8_t *data, size_t size, uint8_t mode)
{
    size_t               n;
    uint8_t             *out;
    sluice_cenc_track_t  t;

    static const uint8_t  pssh[32] = {
        0, 0, 0, 32, 'p', 's', 's', 'h'
    };

    memset(&t, 0, sizeof(t));
    t.scheme = (mode & 1) ? SLUICE_CENC_SCHEME_CBCS : SLUICE_CENC_SCHEME_CENC;
    t.iv_size = (mode & 1) ? 0 : 8;
    t.crypt = (mode & 1) ? 1 : 0;
    t.skip = (mode & 1) ? 9 : 0;

    if (sluice_cenc_init_size(data, size, &t, sizeof(pssh), &n)
        != SLUICE_OK)
    {
        return;
    }

    out = malloc(n);
    if (out == NULL) {
        return;
    }

    if (sluice_cenc_init_write(out, data, size, &t, pssh, sizeof(pssh))
        != out + n)
    {
        abort();
    }

    free(out);
}


static void
fuzz_fragment(EVP_CIPHER_CTX *ctx, const uint8_t *data, size_t size,
    uint8_t mode)
{
    size_t                  n;
    uint8_t                *out;
    sluice_alloc_t          a;
    sluice_fragment_t       in, back;
    sluice_cenc_fragment_t  cf;

    a.alloc = fuzz_alloc;
    a.ctx = NULL;

    memset(&cf, 0, sizeof(cf));
    cf.scheme = (mode & 1) ? SLUICE_CENC_SCHEME_CBCS : SLUICE_CENC_SCHEME_CENC;
    cf.codec = (mode & 2) ? SLUICE_CODEC_AAC : SLUICE_CODEC_AVC;
    cf.nal_length_size = (mode & 4) ? 2 : 4;
    cf.piff = (mode & 8) ? 1 : 0;
    cf.key[0] = mode;

    if (sluice_cenc_fragment_encrypt(ctx, &cf, data, size, 16, &a, &out, &n)
        != SLUICE_OK)
    {
        return;
    }

    if (sluice_cmaf_fragment_parse(data, size, &a, &in) != SLUICE_OK
        || sluice_cmaf_fragment_parse(out, n, &a, &back) != SLUICE_OK
        || back.nsamples != in.nsamples)
    {
        abort();
    }
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t                 mode;
    static EVP_CIPHER_CTX  *ctx;

    if (size < 1) {
        return 0;
    }

    if (ctx == NULL) {
        ctx = EVP_CIPHER_CTX_new();
    }

    mode = data[0];

    fuzz_init(data + 1, size - 1, mode);
    fuzz_fragment(ctx, data + 1, size - 1, mode);
    fuzz_free();

    return 0;
}
