/* Compiled for the target by the cross compiler cc-rs finds (CC_<triple>): the host's gcc would
 * not define these, and the build would stop here. */
#if !defined(__mips__) || !defined(__MIPSEL__)
#error "answer.c must be compiled by the mipsel cross compiler (CC_mipsel-unknown-linux-gnu), not the host's"
#endif

const char *compiled_for(void) { return "mipsel"; }
int answer(void) { return 6 * 7; }
