#ifndef WSK_CFUZZDRIVER_H
#define WSK_CFUZZDRIVER_H
#include <stddef.h>
#include <stdint.h>

// libFuzzer's entry point for programs with their own main (from -sanitize=fuzzer's
// runtime). SwiftPM names an executable's entry point <Target>_main, so each fuzz target
// defines that and hands control to libFuzzer here.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
#endif
