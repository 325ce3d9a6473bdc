package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// The test binary re-runs itself as the sleep command so that real signals are sent.
func TestMain(m *testing.M) {
	if os.Getenv("WARMSTART_SLEEP_CHILD") == "1" {
		os.Exit(run(os.Args[1:]))
	}
	os.Exit(m.Run())
}

func child(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "WARMSTART_SLEEP_CHILD=1")
	return cmd
}

func TestExitsZeroOnSIGTERM(t *testing.T) {
	cmd := child(t)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGTERM: %v", err)
	}
}

func TestDurationArgument(t *testing.T) {
	start := time.Now()
	if err := child(t, "50ms").Run(); err != nil {
		t.Fatalf("sleep 50ms: %v", err)
	}
	if elapsed := time.Since(start); elapsed < 50*time.Millisecond {
		t.Fatalf("returned after %v, before the 50ms duration", elapsed)
	}
}

func TestBadArguments(t *testing.T) {
	for _, args := range [][]string{{"soon"}, {"-1s"}, {"1s", "2s"}} {
		err := child(t, args...).Run()
		exit, ok := err.(*exec.ExitError)
		if !ok || exit.ExitCode() != 2 {
			t.Errorf("%v: err = %v, want exit status 2", args, err)
		}
	}
}

func TestInstallCopiesAnExecutableThatRuns(t *testing.T) {
	dest := filepath.Join(t.TempDir(), "sleep")
	if err := child(t, "install", dest).Run(); err != nil {
		t.Fatalf("install: %v", err)
	}
	info, err := os.Stat(dest)
	if err != nil {
		t.Fatal(err)
	}
	if mode := info.Mode().Perm(); mode != 0o555 {
		t.Fatalf("mode %v, want r-xr-xr-x", mode)
	}
	installed := exec.Command(dest, "10ms")
	installed.Env = append(os.Environ(), "WARMSTART_SLEEP_CHILD=1")
	if err := installed.Run(); err != nil {
		t.Fatalf("running the installed copy: %v", err)
	}
}

func TestInstallIntoMissingDirectoryFails(t *testing.T) {
	err := child(t, "install", filepath.Join(t.TempDir(), "missing", "sleep")).Run()
	if exit, ok := err.(*exec.ExitError); !ok || exit.ExitCode() != 1 {
		t.Fatalf("err = %v, want exit status 1", err)
	}
}
