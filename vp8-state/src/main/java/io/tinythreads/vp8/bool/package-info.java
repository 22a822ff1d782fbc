/**
 * The boolean entropy coder of RFC 6386 section 7: {@link io.tinythreads.vp8.bool.BoolDecoder}
 * (with libvpx's end-of-data behaviour) and its inverse {@link io.tinythreads.vp8.bool.BoolEncoder}.
 */
package io.tinythreads.vp8.bool;
