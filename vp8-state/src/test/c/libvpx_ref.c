/*
 * Test oracle for io.tinythreads.vp8.dsp: runs libvpx's own DSP functions (linked statically
 * from Debian's libvpx.a, package libvpx-dev) on inputs read from stdin and writes their outputs
 * to stdout. Both the C reference ("_c") functions and the x86 SIMD versions that vpxdec really
 * runs are called, so the Java tests can check Java == C and C == SIMD.
 *
 * The functions are internal to libvpx (not in the public headers), so their prototypes are
 * declared here from the libvpx sources (vp8/common/rtcd_defs.pl, vpx_dsp/vpx_dsp_rtcd_defs.pl,
 * vp8/common/loopfilter.h).
 *
 * Protocol: a stream of records, each one opcode byte followed by its little-endian payload;
 * the answers come back in the same order. See the OP_ constants and LibvpxRef.java.
 *
 * Build: gcc -O2 -o libvpx_ref libvpx_ref.c /usr/lib/x86_64-linux-gnu/libvpx.a -lm -lpthread
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- prototypes of libvpx internals ---- */
void vpx_dsp_rtcd(void);
void vp8_rtcd(void);

void vp8_short_idct4x4llm_c(short *input, unsigned char *pred, int pred_stride,
                            unsigned char *dst, int dst_stride);
void vp8_short_idct4x4llm_mmx(short *input, unsigned char *pred, int pred_stride,
                              unsigned char *dst, int dst_stride);
void vp8_dc_only_idct_add_c(short input_dc, unsigned char *pred, int pred_stride,
                            unsigned char *dst, int dst_stride);
void vp8_dc_only_idct_add_mmx(short input_dc, unsigned char *pred, int pred_stride,
                              unsigned char *dst, int dst_stride);
void vp8_dequant_idct_add_y_block_c(short *q, short *dq, unsigned char *dst, int stride,
                                    char *eobs);
void vp8_dequant_idct_add_y_block_sse2(short *q, short *dq, unsigned char *dst, int stride,
                                       char *eobs);
void vp8_short_inv_walsh4x4_c(short *input, short *mb_dqcoeff);
void vp8_short_inv_walsh4x4_sse2(short *input, short *mb_dqcoeff);
void vp8_short_inv_walsh4x4_1_c(short *input, short *mb_dqcoeff);
void vp8_short_fdct4x4_c(short *input, short *output, int pitch);
void vp8_short_fdct4x4_sse2(short *input, short *output, int pitch);
void vp8_short_walsh4x4_c(short *input, short *output, int pitch);
void vp8_short_walsh4x4_sse2(short *input, short *output, int pitch);

typedef void (*subpix_fn)(unsigned char *src, int src_stride, int xoff, int yoff,
                          unsigned char *dst, int dst_pitch);
#define SUBPIX(name) \
  void name(unsigned char *src, int src_stride, int xoff, int yoff, unsigned char *dst, \
            int dst_pitch);
SUBPIX(vp8_sixtap_predict16x16_c)
SUBPIX(vp8_sixtap_predict16x16_sse2)
SUBPIX(vp8_sixtap_predict16x16_ssse3)
SUBPIX(vp8_sixtap_predict8x8_c)
SUBPIX(vp8_sixtap_predict8x8_sse2)
SUBPIX(vp8_sixtap_predict8x8_ssse3)
SUBPIX(vp8_sixtap_predict8x4_c)
SUBPIX(vp8_sixtap_predict8x4_sse2)
SUBPIX(vp8_sixtap_predict8x4_ssse3)
SUBPIX(vp8_sixtap_predict4x4_c)
SUBPIX(vp8_sixtap_predict4x4_mmx)
SUBPIX(vp8_sixtap_predict4x4_ssse3)
SUBPIX(vp8_bilinear_predict16x16_c)
SUBPIX(vp8_bilinear_predict16x16_sse2)
SUBPIX(vp8_bilinear_predict16x16_ssse3)
SUBPIX(vp8_bilinear_predict8x8_c)
SUBPIX(vp8_bilinear_predict8x8_sse2)
SUBPIX(vp8_bilinear_predict8x8_ssse3)
SUBPIX(vp8_bilinear_predict8x4_c)
SUBPIX(vp8_bilinear_predict8x4_sse2)
SUBPIX(vp8_bilinear_predict4x4_c)
SUBPIX(vp8_bilinear_predict4x4_sse2)

typedef void (*intra_fn)(uint8_t *dst, ptrdiff_t stride, const uint8_t *above,
                         const uint8_t *left);
#define INTRA(name) \
  void name(uint8_t *dst, ptrdiff_t stride, const uint8_t *above, const uint8_t *left);
#define INTRA_SIZES(kind)                                                         \
  INTRA(vpx_##kind##_predictor_16x16_c) INTRA(vpx_##kind##_predictor_16x16_sse2) \
  INTRA(vpx_##kind##_predictor_8x8_c) INTRA(vpx_##kind##_predictor_8x8_sse2)
INTRA_SIZES(dc)
INTRA_SIZES(dc_top)
INTRA_SIZES(dc_left)
INTRA_SIZES(dc_128)
INTRA_SIZES(v)
INTRA_SIZES(h)
INTRA_SIZES(tm)
INTRA(vpx_dc_predictor_4x4_c)
INTRA(vpx_tm_predictor_4x4_c)
INTRA(vpx_ve_predictor_4x4_c)
INTRA(vpx_he_predictor_4x4_c)
INTRA(vpx_d45e_predictor_4x4_c)
INTRA(vpx_d135_predictor_4x4_c)
INTRA(vpx_d117_predictor_4x4_c)
INTRA(vpx_d63e_predictor_4x4_c)
INTRA(vpx_d153_predictor_4x4_c)
INTRA(vpx_d207_predictor_4x4_c)
void vp8_init_intra_predictors(void);
void vp8_intra4x4_predict(unsigned char *above, unsigned char *yleft, int left_stride,
                          int b_mode, unsigned char *dst, int dst_stride,
                          unsigned char top_left);

/* vp8/common/loopfilter.h (x86: SIMD_WIDTH 16) */
typedef struct {
  unsigned char mblim[64][16] __attribute__((aligned(16)));
  unsigned char blim[64][16] __attribute__((aligned(16)));
  unsigned char lim[64][16] __attribute__((aligned(16)));
  unsigned char hev_thr[4][16] __attribute__((aligned(16)));
  unsigned char lvl[4][4][4];
  unsigned char hev_thr_lut[2][64];
  unsigned char mode_lf_lut[10];
} loop_filter_info_n;
typedef struct loop_filter_info {
  const unsigned char *mblim;
  const unsigned char *blim;
  const unsigned char *lim;
  const unsigned char *hev_thr;
} loop_filter_info;
void vp8_loop_filter_update_sharpness(loop_filter_info_n *lfi, int sharpness_lvl);
void vp8_loop_filter_init(void *cm);
typedef void (*lf_normal_fn)(unsigned char *y, unsigned char *u, unsigned char *v, int ys,
                             int uvs, loop_filter_info *lfi);
typedef void (*lf_simple_fn)(unsigned char *y, int ys, const unsigned char *blimit);
#define LF_NORMAL(name) \
  void name(unsigned char *y, unsigned char *u, unsigned char *v, int ys, int uvs, \
            loop_filter_info *lfi);
#define LF_SIMPLE(name) void name(unsigned char *y, int ys, const unsigned char *blimit);
LF_NORMAL(vp8_loop_filter_mbv_c)
LF_NORMAL(vp8_loop_filter_bv_c)
LF_NORMAL(vp8_loop_filter_mbh_c)
LF_NORMAL(vp8_loop_filter_bh_c)
LF_NORMAL(vp8_loop_filter_mbv_sse2)
LF_NORMAL(vp8_loop_filter_bv_sse2)
LF_NORMAL(vp8_loop_filter_mbh_sse2)
LF_NORMAL(vp8_loop_filter_bh_sse2)
LF_SIMPLE(vp8_loop_filter_simple_vertical_edge_c)
LF_SIMPLE(vp8_loop_filter_bvs_c)
LF_SIMPLE(vp8_loop_filter_simple_horizontal_edge_c)
LF_SIMPLE(vp8_loop_filter_bhs_c)
LF_SIMPLE(vp8_loop_filter_simple_vertical_edge_sse2)
LF_SIMPLE(vp8_loop_filter_bvs_sse2)
LF_SIMPLE(vp8_loop_filter_simple_horizontal_edge_sse2)
LF_SIMPLE(vp8_loop_filter_bhs_sse2)

unsigned int vpx_sad16x16_c(const uint8_t *a, int as, const uint8_t *b, int bs);
unsigned int vpx_sad8x8_c(const uint8_t *a, int as, const uint8_t *b, int bs);
unsigned int vpx_sad4x4_c(const uint8_t *a, int as, const uint8_t *b, int bs);
uint32_t vpx_variance16x16_c(const uint8_t *a, int as, const uint8_t *b, int bs, uint32_t *sse);
uint32_t vpx_variance8x8_c(const uint8_t *a, int as, const uint8_t *b, int bs, uint32_t *sse);
uint32_t vpx_variance4x4_c(const uint8_t *a, int as, const uint8_t *b, int bs, uint32_t *sse);
void vpx_ssim_parms_8x8_sse2(const uint8_t *s, int sp, const uint8_t *r, int rp,
                             uint32_t *sum_s, uint32_t *sum_r, uint32_t *sum_sq_s,
                             uint32_t *sum_sq_r, uint32_t *sum_sxr);
double vpx_sse_to_psnr(double samples, double peak, double sse);

/* ---- I/O helpers ---- */
static void die(const char *what) {
  fprintf(stderr, "libvpx_ref: %s\n", what);
  exit(2);
}
static void rd(void *p, size_t n) {
  if (n && fread(p, 1, n, stdin) != n) die("truncated input");
}
static void wr(const void *p, size_t n) {
  if (n && fwrite(p, 1, n, stdout) != n) die("write failed");
}
static int rd_u8(void) {
  unsigned char v;
  rd(&v, 1);
  return v;
}
static int rd_u16(void) {
  unsigned char v[2];
  rd(v, 2);
  return v[0] | (v[1] << 8);
}
/* x86 is little-endian, so int16/uint32/double arrays are read and written as raw memory. */

enum {
  OP_IDCT = 1,
  OP_DC_ONLY = 2,
  OP_IWALSH = 3,
  OP_IWALSH1 = 4,
  OP_FDCT = 5,
  OP_FWALSH = 6,
  OP_SIXTAP = 7,
  OP_BILINEAR = 8,
  OP_INTRA4 = 9,
  OP_INTRA_MB = 10,
  OP_LOOP_FILTER = 11,
  OP_SAD_VAR = 12,
  OP_SSIM = 13,
  OP_PSNR = 14,
  OP_YBLOCK = 15,
  OP_LF_TABLES = 16,
};

/* ---- transforms ---- */
static void op_idct(void) {
  short in[16], in2[16];
  unsigned char pred[16], out[16];
  rd(in, sizeof in);
  rd(pred, 16);
  memcpy(in2, in, sizeof in);
  vp8_short_idct4x4llm_c(in, pred, 4, out, 4);
  wr(out, 16);
  vp8_short_idct4x4llm_mmx(in2, pred, 4, out, 4);
  wr(out, 16);
}

static void op_dc_only(void) {
  short dc;
  unsigned char pred[16], out[16];
  rd(&dc, 2);
  rd(pred, 16);
  vp8_dc_only_idct_add_c(dc, pred, 4, out, 4);
  wr(out, 16);
  vp8_dc_only_idct_add_mmx(dc, pred, 4, out, 4);
  wr(out, 16);
}

/* 16 blocks of 16 coefficients, dequantizer, 16 eobs, a 16x16 predictor; the y-block functions
 * of the decoder (dequantize, IDCT or DC-only by eob, add). */
static void op_yblock(void) {
  short q[256] __attribute__((aligned(16))), q2[256] __attribute__((aligned(16)));
  short dq[16] __attribute__((aligned(16)));
  char eobs[16] __attribute__((aligned(16)));
  unsigned char dst[256] __attribute__((aligned(16))), dst2[256] __attribute__((aligned(16)));
  rd(q, sizeof q);
  rd(dq, sizeof dq);
  rd(eobs, 16);
  rd(dst, 256);
  memcpy(q2, q, sizeof q);
  memcpy(dst2, dst, 256);
  vp8_dequant_idct_add_y_block_c(q, dq, dst, 16, eobs);
  wr(dst, 256);
  vp8_dequant_idct_add_y_block_sse2(q2, dq, dst2, 16, eobs);
  wr(dst2, 256);
}

static void op_iwalsh(void) {
  short in[16] __attribute__((aligned(16)));
  short out[256] __attribute__((aligned(16)));
  short res[16];
  int i;
  rd(in, sizeof in);
  memset(out, 0, sizeof out);
  vp8_short_inv_walsh4x4_c(in, out);
  for (i = 0; i < 16; ++i) res[i] = out[16 * i];
  wr(res, sizeof res);
  memset(out, 0, sizeof out);
  vp8_short_inv_walsh4x4_sse2(in, out);
  for (i = 0; i < 16; ++i) res[i] = out[16 * i];
  wr(res, sizeof res);
}

static void op_iwalsh1(void) {
  short in[16];
  short out[256];
  short res[16];
  int i;
  memset(in, 0, sizeof in);
  rd(in, 2);
  vp8_short_inv_walsh4x4_1_c(in, out);
  for (i = 0; i < 16; ++i) res[i] = out[16 * i];
  wr(res, sizeof res);
}

/* Input is a 4x4 block inside rows of 8 shorts (pitch 16 bytes), to exercise the pitch. */
static void op_fdct_like(void (*c)(short *, short *, int), void (*simd)(short *, short *, int)) {
  short in[32] __attribute__((aligned(16)));
  short out[16] __attribute__((aligned(16)));
  int r;
  memset(in, 0, sizeof in);
  for (r = 0; r < 4; ++r) rd(in + 8 * r, 8);
  c(in, out, 16);
  wr(out, sizeof out);
  simd(in, out, 16);
  wr(out, sizeof out);
}

/* ---- inter prediction ---- */
static void op_subpix(int bilinear) {
  int w = rd_u8(), h = rd_u8(), mx = rd_u8(), my = rd_u8();
  /* Source block: (w + 5) x (h + 5) pixels with the block at (2, 2); placed in a larger buffer
   * with stride 64 so that SIMD over-reads stay inside. */
  static unsigned char src[64 * 40] __attribute__((aligned(16)));
  unsigned char dst[3][16 * 16] __attribute__((aligned(16)));
  subpix_fn fns[3] = {0, 0, 0};
  int r, k;
  const int stride = 64;
  unsigned char *origin = src + 8 * stride + 16;
  memset(src, 0, sizeof src);
  for (r = 0; r < h + 5; ++r) rd(origin + (r - 2) * stride - 2, w + 5);
  if (!bilinear) {
    if (w == 16 && h == 16) {
      fns[0] = vp8_sixtap_predict16x16_c; fns[1] = vp8_sixtap_predict16x16_sse2;
      fns[2] = vp8_sixtap_predict16x16_ssse3;
    } else if (w == 8 && h == 8) {
      fns[0] = vp8_sixtap_predict8x8_c; fns[1] = vp8_sixtap_predict8x8_sse2;
      fns[2] = vp8_sixtap_predict8x8_ssse3;
    } else if (w == 8 && h == 4) {
      fns[0] = vp8_sixtap_predict8x4_c; fns[1] = vp8_sixtap_predict8x4_sse2;
      fns[2] = vp8_sixtap_predict8x4_ssse3;
    } else if (w == 4 && h == 4) {
      fns[0] = vp8_sixtap_predict4x4_c; fns[1] = vp8_sixtap_predict4x4_mmx;
      fns[2] = vp8_sixtap_predict4x4_ssse3;
    }
  } else {
    if (w == 16 && h == 16) {
      fns[0] = vp8_bilinear_predict16x16_c; fns[1] = vp8_bilinear_predict16x16_sse2;
      fns[2] = vp8_bilinear_predict16x16_ssse3;
    } else if (w == 8 && h == 8) {
      fns[0] = vp8_bilinear_predict8x8_c; fns[1] = vp8_bilinear_predict8x8_sse2;
      fns[2] = vp8_bilinear_predict8x8_ssse3;
    } else if (w == 8 && h == 4) {
      fns[0] = vp8_bilinear_predict8x4_c; fns[1] = vp8_bilinear_predict8x4_sse2;
      fns[2] = vp8_bilinear_predict8x4_sse2;
    } else if (w == 4 && h == 4) {
      fns[0] = vp8_bilinear_predict4x4_c; fns[1] = vp8_bilinear_predict4x4_sse2;
      fns[2] = vp8_bilinear_predict4x4_sse2;
    }
  }
  if (!fns[0]) die("unsupported sub-pixel block size");
  for (k = 0; k < 3; ++k) {
    memset(dst[k], 0, sizeof dst[k]);
    fns[k](origin, stride, mx, my, dst[k], 16);
    for (r = 0; r < h; ++r) wr(dst[k] + 16 * r, w);
  }
}

/* ---- intra prediction ---- */
static void op_intra4(void) {
  static intra_fn c_fns[10] = {
      vpx_dc_predictor_4x4_c,   vpx_tm_predictor_4x4_c,   vpx_ve_predictor_4x4_c,
      vpx_he_predictor_4x4_c,   vpx_d45e_predictor_4x4_c, vpx_d135_predictor_4x4_c,
      vpx_d117_predictor_4x4_c, vpx_d63e_predictor_4x4_c, vpx_d153_predictor_4x4_c,
      vpx_d207_predictor_4x4_c};
  int mode = rd_u8();
  /* A 5-row by 12-column frame patch: row 0 holds top-left + 8 above, column 0 the left. */
  unsigned char frame[5 * 16];
  unsigned char above_buf[16], left[4], out[16];
  const int fs = 16;
  int r;
  memset(frame, 0, sizeof frame);
  rd(frame + 1, 8);       /* above: frame[0 * fs + 1 .. 8] */
  for (r = 0; r < 4; ++r) /* left: frame[(r + 1) * fs + 0] */
    frame[(r + 1) * fs] = (unsigned char)rd_u8();
  frame[0] = (unsigned char)rd_u8(); /* top-left */
  if (mode < 0 || mode > 9) die("bad 4x4 mode");
  /* The C reference with libvpx's own above/left layout (Above[-1] = top-left). */
  memcpy(above_buf + 4, frame + 1, 8);
  above_buf[3] = frame[0];
  for (r = 0; r < 4; ++r) left[r] = frame[(r + 1) * fs];
  c_fns[mode](out, 4, above_buf + 4, left);
  wr(out, 16);
  /* The decoder's entry point (dispatching to SIMD where libvpx has it), in place. */
  vp8_intra4x4_predict(frame + 1, frame + fs, fs, mode, frame + fs + 1, fs, frame[0]);
  for (r = 0; r < 4; ++r) wr(frame + (r + 1) * fs + 1, 4);
}

static void op_intra_mb(void) {
  int size = rd_u8(), mode = rd_u8(), have_above = rd_u8(), have_left = rd_u8();
  unsigned char above_buf[48] __attribute__((aligned(16)));
  unsigned char left[16] __attribute__((aligned(16)));
  unsigned char out[16 * 16] __attribute__((aligned(16)));
  unsigned char *above = above_buf + 16;
  intra_fn c = 0, simd = 0;
  int r;
  memset(above_buf, 0, sizeof above_buf);
  rd(above, size);
  rd(left, size);
  above[-1] = (unsigned char)rd_u8();
#define PICK(kind)                                                              \
  do {                                                                          \
    if (size == 16) {                                                           \
      c = vpx_##kind##_predictor_16x16_c; simd = vpx_##kind##_predictor_16x16_sse2; \
    } else {                                                                    \
      c = vpx_##kind##_predictor_8x8_c; simd = vpx_##kind##_predictor_8x8_sse2;  \
    }                                                                           \
  } while (0)
  /* Mode numbers as RFC 6386 / libvpx: DC_PRED 0, V_PRED 1, H_PRED 2, TM_PRED 3; DC selects
   * by edge availability like vp8_build_intra_predictors_mby_s (dc_pred[left][above]). */
  switch (mode) {
    case 0:
      if (have_left && have_above) PICK(dc);
      else if (have_above) PICK(dc_top);
      else if (have_left) PICK(dc_left);
      else PICK(dc_128);
      break;
    case 1: PICK(v); break;
    case 2: PICK(h); break;
    case 3: PICK(tm); break;
    default: die("bad mb mode");
  }
  if (size != 16 && size != 8) die("bad mb size");
  c(out, 16, above, left);
  for (r = 0; r < size; ++r) wr(out + 16 * r, size);
  simd(out, 16, above, left);
  for (r = 0; r < size; ++r) wr(out + 16 * r, size);
}

/* ---- loop filter ---- */
static loop_filter_info_n *lf_tables_for_sharpness(int sharpness) {
  /* Limits come from libvpx's own vp8_loop_filter_update_sharpness. The hev thresholds come from
   * libvpx's static lf_init_lut, which only vp8_loop_filter_init(VP8_COMMON *) runs: we give it
   * a zeroed stand-in for VP8_COMMON (whose layout depends on libvpx's build configuration) and
   * locate cm->lf_info inside it by the hev_thr rows it writes (16 x 0, 16 x 1, 16 x 2, 16 x 3).
   */
  static unsigned char *cm = 0;
  static loop_filter_info_n *found = 0;
  static loop_filter_info_n lfi;
  const size_t cm_size = 1 << 20;
  if (!found) {
    unsigned char pattern[64];
    size_t pos;
    int i;
    for (i = 0; i < 64; ++i) pattern[i] = (unsigned char)(i / 16);
    cm = calloc(cm_size, 1);
    if (!cm) die("out of memory");
    vp8_loop_filter_init(cm);
    for (pos = offsetof(loop_filter_info_n, hev_thr); pos + 64 <= cm_size; pos += 16) {
      if (memcmp(cm + pos, pattern, 64) == 0) break;
    }
    if (pos + 64 > cm_size) die("could not locate lf_info written by vp8_loop_filter_init");
    found = (loop_filter_info_n *)(cm + pos - offsetof(loop_filter_info_n, hev_thr));
    if (found->mode_lf_lut[4] != 0 || found->mode_lf_lut[0] != 1 || found->mode_lf_lut[9] != 3)
      die("lf_info located by pattern does not look like loop_filter_info_n");
  }
  memcpy(&lfi, found, sizeof lfi);
  vp8_loop_filter_update_sharpness(&lfi, sharpness);
  return &lfi;
}

/* Report libvpx's tables for one sharpness: for each level 0..63, mblim, blim, lim, hev key,
 * hev inter. */
static void op_lf_tables(void) {
  int sharpness = rd_u8();
  loop_filter_info_n *lfi = lf_tables_for_sharpness(sharpness);
  int level;
  for (level = 0; level < 64; ++level) {
    unsigned char row[5];
    row[0] = lfi->mblim[level][0];
    row[1] = lfi->blim[level][0];
    row[2] = lfi->lim[level][0];
    row[3] = lfi->hev_thr_lut[0][level]; /* KEY_FRAME = 0 */
    row[4] = lfi->hev_thr_lut[1][level]; /* INTER_FRAME = 1 */
    wr(row, 5);
  }
}

/* vp8_loop_filter_frame's traversal (vp8/common/vp8_loopfilter.c) over caller-given per-MB
 * levels and inner-edge flags, with one set of edge functions. */
static void filter_frame(loop_filter_info_n *lfi, const lf_normal_fn *nf, const lf_simple_fn *sf,
                         int simple, int frame_type, int mb_cols, int mb_rows,
                         const unsigned char *levels, const unsigned char *inner, unsigned char *y,
                         unsigned char *u, unsigned char *v, int ys, int uvs) {
  int mb_row, mb_col;
  for (mb_row = 0; mb_row < mb_rows; ++mb_row) {
    for (mb_col = 0; mb_col < mb_cols; ++mb_col) {
      int idx = mb_row * mb_cols + mb_col;
      int level = levels[idx];
      int skip_lf = !inner[idx];
      unsigned char *yp = y + mb_row * 16 * ys + mb_col * 16;
      unsigned char *up = u + mb_row * 8 * uvs + mb_col * 8;
      unsigned char *vp = v + mb_row * 8 * uvs + mb_col * 8;
      if (!level) continue;
      if (!simple) {
        loop_filter_info li;
        li.mblim = lfi->mblim[level];
        li.blim = lfi->blim[level];
        li.lim = lfi->lim[level];
        li.hev_thr = lfi->hev_thr[lfi->hev_thr_lut[frame_type][level]];
        if (mb_col > 0) nf[0](yp, up, vp, ys, uvs, &li);
        if (!skip_lf) nf[1](yp, up, vp, ys, uvs, &li);
        if (mb_row > 0) nf[2](yp, up, vp, ys, uvs, &li);
        if (!skip_lf) nf[3](yp, up, vp, ys, uvs, &li);
      } else {
        if (mb_col > 0) sf[0](yp, ys, lfi->mblim[level]);
        if (!skip_lf) sf[1](yp, ys, lfi->blim[level]);
        if (mb_row > 0) sf[2](yp, ys, lfi->mblim[level]);
        if (!skip_lf) sf[3](yp, ys, lfi->blim[level]);
      }
    }
  }
}

/* Input: mbCols, mbRows (u16), simple, sharpness, keyFrame (u8), levels[n], inner[n], then the
 * Y plane ((16 mbCols + 64) x (16 mbRows + 64), visible part at (32, 32)) and the U and V planes
 * ((8 mbCols + 32) x (8 mbRows + 32), visible at (16, 16)). Output: the three planes filtered
 * with the C functions, then with the SSE2 functions. */
static void op_loop_filter(void) {
  static const lf_normal_fn nf_c[4] = {vp8_loop_filter_mbv_c, vp8_loop_filter_bv_c,
                                       vp8_loop_filter_mbh_c, vp8_loop_filter_bh_c};
  static const lf_normal_fn nf_sse2[4] = {vp8_loop_filter_mbv_sse2, vp8_loop_filter_bv_sse2,
                                          vp8_loop_filter_mbh_sse2, vp8_loop_filter_bh_sse2};
  static const lf_simple_fn sf_c[4] = {
      vp8_loop_filter_simple_vertical_edge_c, vp8_loop_filter_bvs_c,
      vp8_loop_filter_simple_horizontal_edge_c, vp8_loop_filter_bhs_c};
  static const lf_simple_fn sf_sse2[4] = {
      vp8_loop_filter_simple_vertical_edge_sse2, vp8_loop_filter_bvs_sse2,
      vp8_loop_filter_simple_horizontal_edge_sse2, vp8_loop_filter_bhs_sse2};
  int mb_cols = rd_u16(), mb_rows = rd_u16();
  int simple = rd_u8(), sharpness = rd_u8(), key_frame = rd_u8();
  int n = mb_cols * mb_rows;
  int ys = 16 * mb_cols + 64, yh = 16 * mb_rows + 64;
  int uvs = 8 * mb_cols + 32, uvh = 8 * mb_rows + 32;
  unsigned char *levels = malloc(n), *inner = malloc(n);
  unsigned char *planes[2][3];
  loop_filter_info_n *lfi = lf_tables_for_sharpness(sharpness);
  int k, p;
  if (!levels || !inner) die("out of memory");
  rd(levels, n);
  rd(inner, n);
  for (k = 0; k < 2; ++k) {
    /* 16-byte aligned like libvpx's frame buffers (the SSE2 code uses aligned loads on some
     * paths) */
    for (p = 0; p < 3; ++p) {
      size_t sz = (size_t)(p == 0 ? ys * yh : uvs * uvh);
      if (posix_memalign((void **)&planes[k][p], 16, sz)) die("out of memory");
    }
  }
  rd(planes[0][0], (size_t)ys * yh);
  rd(planes[0][1], (size_t)uvs * uvh);
  rd(planes[0][2], (size_t)uvs * uvh);
  memcpy(planes[1][0], planes[0][0], (size_t)ys * yh);
  memcpy(planes[1][1], planes[0][1], (size_t)uvs * uvh);
  memcpy(planes[1][2], planes[0][2], (size_t)uvs * uvh);
  for (k = 0; k < 2; ++k) {
    filter_frame(lfi, k == 0 ? nf_c : nf_sse2, k == 0 ? sf_c : sf_sse2, simple,
                 key_frame ? 0 : 1, mb_cols, mb_rows, levels, inner,
                 planes[k][0] + 32 * ys + 32, planes[k][1] + 16 * uvs + 16,
                 planes[k][2] + 16 * uvs + 16, ys, uvs);
    wr(planes[k][0], (size_t)ys * yh);
    wr(planes[k][1], (size_t)uvs * uvh);
    wr(planes[k][2], (size_t)uvs * uvh);
  }
  for (k = 0; k < 2; ++k)
    for (p = 0; p < 3; ++p) free(planes[k][p]);
  free(levels);
  free(inner);
}

/* ---- metrics ---- */
static void op_sad_var(void) {
  int size = rd_u8();
  unsigned char a[256], b[256];
  uint32_t res[3];
  rd(a, (size_t)size * size);
  rd(b, (size_t)size * size);
  if (size == 16) {
    res[0] = vpx_sad16x16_c(a, 16, b, 16);
    res[1] = vpx_variance16x16_c(a, 16, b, 16, &res[2]);
  } else if (size == 8) {
    res[0] = vpx_sad8x8_c(a, 8, b, 8);
    res[1] = vpx_variance8x8_c(a, 8, b, 8, &res[2]);
  } else if (size == 4) {
    res[0] = vpx_sad4x4_c(a, 4, b, 4);
    res[1] = vpx_variance4x4_c(a, 4, b, 4, &res[2]);
  } else {
    die("bad sad size");
  }
  wr(res, sizeof res);
}

/* vpx_dsp/ssim.c similarity() and vpx_ssim2(), 8-bit only, over libvpx's own (SSE2) window
 * sums. */
static double similarity(uint32_t sum_s, uint32_t sum_r, uint32_t sum_sq_s, uint32_t sum_sq_r,
                         uint32_t sum_sxr, int count) {
  const int64_t c1 = (26634LL * count * count) >> 12;
  const int64_t c2 = (239708LL * count * count) >> 12;
  double ssim_n = (2.0 * sum_s * sum_r + c1) * (2.0 * count * sum_sxr - 2.0 * sum_s * sum_r + c2);
  double ssim_d = ((double)sum_s * sum_s + (double)sum_r * sum_r + c1) *
                  ((double)count * sum_sq_s - (double)sum_s * sum_s +
                   (double)count * sum_sq_r - (double)sum_r * sum_r + c2);
  return ssim_n / ssim_d;
}

static void op_ssim(void) {
  int w = rd_u16(), h = rd_u16();
  unsigned char *a = malloc((size_t)w * h), *b = malloc((size_t)w * h);
  int i, j, samples = 0;
  double total = 0;
  if (!a || !b) die("out of memory");
  rd(a, (size_t)w * h);
  rd(b, (size_t)w * h);
  for (i = 0; i <= h - 8; i += 4) {
    for (j = 0; j <= w - 8; j += 4) {
      uint32_t s = 0, r = 0, ss = 0, rr = 0, sr = 0;
      vpx_ssim_parms_8x8_sse2(a + i * w + j, w, b + i * w + j, w, &s, &r, &ss, &rr, &sr);
      total += similarity(s, r, ss, rr, sr, 64);
      samples++;
    }
  }
  total /= samples;
  wr(&total, sizeof total);
  free(a);
  free(b);
}

static void op_psnr(void) {
  double in[2], out;
  rd(in, sizeof in);
  out = vpx_sse_to_psnr(in[0], 255.0, in[1]);
  wr(&out, sizeof out);
}

int main(void) {
  int op;
  vpx_dsp_rtcd();
  vp8_rtcd();
  vp8_init_intra_predictors();
  while ((op = getchar()) != EOF) {
    switch (op) {
      case OP_IDCT: op_idct(); break;
      case OP_DC_ONLY: op_dc_only(); break;
      case OP_IWALSH: op_iwalsh(); break;
      case OP_IWALSH1: op_iwalsh1(); break;
      case OP_FDCT: op_fdct_like(vp8_short_fdct4x4_c, vp8_short_fdct4x4_sse2); break;
      case OP_FWALSH: op_fdct_like(vp8_short_walsh4x4_c, vp8_short_walsh4x4_sse2); break;
      case OP_SIXTAP: op_subpix(0); break;
      case OP_BILINEAR: op_subpix(1); break;
      case OP_INTRA4: op_intra4(); break;
      case OP_INTRA_MB: op_intra_mb(); break;
      case OP_LOOP_FILTER: op_loop_filter(); break;
      case OP_SAD_VAR: op_sad_var(); break;
      case OP_SSIM: op_ssim(); break;
      case OP_PSNR: op_psnr(); break;
      case OP_YBLOCK: op_yblock(); break;
      case OP_LF_TABLES: op_lf_tables(); break;
      default: die("unknown opcode");
    }
  }
  fflush(stdout);
  return 0;
}
