/* measure: run a command once and report what it cost.
 *
 *   measure OUTFILE COMMAND [ARGS...]
 *
 * Runs COMMAND (searched in PATH) as a child, waits for it, and appends one line to OUTFILE:
 *
 *   CPU MAXRSS_KB STATUS USER SYS WALL
 *
 * CPU is USER + SYS: the processor time the child used (in seconds; on Linux wait4 also counts
 * the descendants the child itself waited for), the figure make bench compares because it
 * depends far less on what else the machine is doing than WALL, the elapsed time.  MAXRSS_KB is
 * the child's peak resident memory in kilobytes.  STATUS is its exit status, or 128 + the
 * signal that ended it.  The command's own output and input pass through untouched; measure's
 * exit status is 0 unless measuring itself failed (64 usage, 70 a system call failed). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double seconds(struct timeval tv) {
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: measure OUTFILE COMMAND [ARGS...]\n");
        return 64;
    }
    /* Opened before the child starts, so that a bad path costs no run. */
    FILE *out = fopen(argv[1], "a");
    if (out == NULL) {
        perror("measure: open output");
        return 70;
    }
    fflush(stdout);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    if (pid < 0) {
        perror("measure: fork");
        return 70;
    }
    if (pid == 0) {
        fclose(out);
        execvp(argv[2], argv + 2);
        perror("measure: exec");
        _exit(127);
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0) {
        perror("measure: wait4");
        return 70;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double wall = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    double user = seconds(ru.ru_utime);
    double sys = seconds(ru.ru_stime);
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    fprintf(out, "%.4f %ld %d %.4f %.4f %.4f\n", user + sys, ru.ru_maxrss, code, user, sys, wall);
    if (fclose(out) != 0) {
        perror("measure: write output");
        return 70;
    }
    return 0;
}
