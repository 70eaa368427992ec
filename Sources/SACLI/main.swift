import SATensor

// Re-execute once with OpenBLAS's AVX-512 kernels when the CPU has them (see `BLASRuntime`), then run.
BLASRuntime.relaunchWithFastKernelsIfNeeded()
StableAudioCommand.main()
