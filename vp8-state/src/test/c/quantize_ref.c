/*
 * Test oracle for io.tinythreads.vp8.encode.Quantizer: runs libvpx's VP8 regular quantizer
 * (vp8_regular_quantize_b_c and the SSE2 / SSE4.1 versions vpxenc uses), linked statically from
 * Debian's libvpx.a (package libvpx-dev 1.12), on the tables and coefficients read from stdin.
 *
 * The quantizer functions are libvpx internals. Their argument structs are declared here with the
 * leading fields of libvpx 1.12's BLOCK (vp8/encoder/block.h) and BLOCKD (vp8/common/blockd.h),
 * in the same order, which is all the quantizer reads.
 *
 * Protocol (little-endian): records of 7 x 16 shorts (zbin, round, quant, quant_shift,
 * zrun_zbin_boost, dequant, coeff) and 1 short (zbin_extra); for each, the answer of the C, SSE2
 * and SSE4.1 versions in turn: 16 shorts qcoeff, 16 shorts dqcoeff, 1 byte eob.
 *
 * Build: gcc -O2 -o quantize_ref quantize_ref.c /usr/lib/x86_64-linux-gnu/libvpx.a -lm -lpthread
 */
#include <stdio.h>
#include <string.h>

typedef struct block {
  short *src_diff;
  short *coeff;
  short *quant;
  short *quant_fast;
  short *quant_shift;
  short *zbin;
  short *zrun_zbin_boost;
  short *round;
  short zbin_extra;
  unsigned char **base_src;
  int src;
  int src_stride;
} BLOCK;

typedef struct blockd {
  short *qcoeff;
  short *dqcoeff;
  unsigned char *predictor;
  short *dequant;
  int offset;
  char *eob;
  int bmi;
} BLOCKD;

void vp8_regular_quantize_b_c(BLOCK *b, BLOCKD *d);
void vp8_regular_quantize_b_sse2(BLOCK *b, BLOCKD *d);
void vp8_regular_quantize_b_sse4_1(BLOCK *b, BLOCKD *d);

typedef void (*quantize_fn)(BLOCK *b, BLOCKD *d);

static int rd(void *p, size_t n) { return fread(p, 1, n, stdin) == n; }

int main(void) {
  _Alignas(16) short zbin[16], rnd[16], quant[16], shift[16], boost[16], dequant[16], coeff[16];
  _Alignas(16) short qcoeff[16], dqcoeff[16];
  short extra;
  char eob;
  quantize_fn fns[3] = {vp8_regular_quantize_b_c, vp8_regular_quantize_b_sse2, vp8_regular_quantize_b_sse4_1};
  while (rd(zbin, 32)) {
    if (!rd(rnd, 32) || !rd(quant, 32) || !rd(shift, 32) || !rd(boost, 32) || !rd(dequant, 32) ||
        !rd(coeff, 32) || !rd(&extra, 2)) {
      fprintf(stderr, "truncated record\n");
      return 1;
    }
    for (int f = 0; f < 3; f++) {
      BLOCK b;
      BLOCKD d;
      memset(&b, 0, sizeof b);
      memset(&d, 0, sizeof d);
      b.coeff = coeff;
      b.quant = quant;
      b.quant_fast = quant;
      b.quant_shift = shift;
      b.zbin = zbin;
      b.zrun_zbin_boost = boost;
      b.round = rnd;
      b.zbin_extra = extra;
      memset(qcoeff, 0x55, sizeof qcoeff);
      memset(dqcoeff, 0x55, sizeof dqcoeff);
      d.qcoeff = qcoeff;
      d.dqcoeff = dqcoeff;
      d.dequant = dequant;
      eob = -1;
      d.eob = &eob;
      fns[f](&b, &d);
      fwrite(qcoeff, 1, 32, stdout);
      fwrite(dqcoeff, 1, 32, stdout);
      fwrite(&eob, 1, 1, stdout);
    }
  }
  fflush(stdout);
  return 0;
}
