/** The {@code bin/vp8} command line: decode IVF files to MD5s, y4m or raw I420. */
package io.tinythreads.vp8.cli;
