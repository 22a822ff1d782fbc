/**
 * The VP8 frame header as records that mirror RFC 6386's syntax (sections 9 and 19.2): {@link
 * io.tinythreads.vp8.header.FrameHeader} with {@link io.tinythreads.vp8.header.FrameTag}, {@link
 * io.tinythreads.vp8.header.KeyFrameStart}, {@link io.tinythreads.vp8.header.SegmentationUpdate},
 * {@link io.tinythreads.vp8.header.ModeRefLfDeltaUpdate}, {@link
 * io.tinythreads.vp8.header.QuantIndices}, {@link io.tinythreads.vp8.header.TokenProbUpdate} and
 * {@link io.tinythreads.vp8.header.MvProbUpdate}. Every coded element is kept as coded (flags,
 * magnitudes and signs, raw probability updates) so a frame can be written back bit for bit.
 * {@link io.tinythreads.vp8.header.Tables} holds the RFC's constant tables and trees.
 */
package io.tinythreads.vp8.header;
