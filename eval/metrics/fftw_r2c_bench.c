/* FFTW's own throughput for single-precision real-to-complex transforms of the sizes SAMetrics uses.
 *
 * Build and run (release flags; links Debian's libfftw3f):
 *   cc -O2 -o /tmp/fftw_r2c_bench eval/metrics/fftw_r2c_bench.c -lfftw3f -lm && /tmp/fftw_r2c_bench
 *
 * For each size N it plans fftwf_plan_dft_r2c_1d with FFTW_ESTIMATE (what SAMetrics uses, deterministic) and with
 * FFTW_MEASURE, then times fftwf_execute_dft_r2c over a batch of 256 distinct input frames (so data comes from
 * memory as in an STFT), repeating until at least 0.5 s has elapsed. It reports ns per transform and FFTW's own
 * "mflops" convention for real transforms, 2.5·N·log2(N) / 2 / (time in µs) (benchFFT's figure of merit).
 */
#include <fftw3.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

static double measure(int n, unsigned flags) {
    const int frames = 256;
    float *in = fftwf_malloc(sizeof(float) * (size_t)n * frames);
        /* Output frames padded to an even number of complex values so that every frame keeps the plan's 16-byte
     * alignment (new-array execution requires the planning arrays' alignment). */
    const int stride = n / 2 + 2;
    fftwf_complex *out = fftwf_malloc(sizeof(fftwf_complex) * (size_t)stride * frames);
    fftwf_plan plan = fftwf_plan_dft_r2c_1d(n, in, out, flags);
    srand(1);
    for (long i = 0; i < (long)n * frames; i++) in[i] = (float)rand() / RAND_MAX - 0.5f;
    long count = 0;
    double start = now(), elapsed = 0;
    while (elapsed < 0.5) {
        for (int f = 0; f < frames; f++) fftwf_execute_dft_r2c(plan, in + (long)f * n, out + (long)f * stride);
        count += frames;
        elapsed = now() - start;
    }
    fftwf_destroy_plan(plan);
    fftwf_free(in);
    fftwf_free(out);
    return elapsed / count;
}

int main(void) {
    const int sizes[] = {512, 1024, 2048, 4096};
    printf("%s\n", fftwf_version);
    printf("%6s %10s %12s %10s %12s\n", "N", "ESTIMATE ns", "mflops", "MEASURE ns", "mflops");
    for (int i = 0; i < 4; i++) {
        int n = sizes[i];
        double estimate = measure(n, FFTW_ESTIMATE), measured = measure(n, FFTW_MEASURE);
        double flops = 2.5 * n * log2((double)n) / 2;
        printf("%6d %10.1f %12.0f %10.1f %12.0f\n", n, estimate * 1e9, flops / (estimate * 1e6), measured * 1e9, flops / (measured * 1e6));
    }
    return 0;
}
