/**
 * The {@code bin/vp8} command line: decode IVF files to MD5s, y4m or raw I420 ({@code Vp8Cli});
 * dump the decoder state after a frame, continue decoding from a dumped state, re-write every
 * frame and compare, and a warm decode benchmark ({@code Vp8StateCli}).
 */
package io.tinythreads.vp8.cli;
