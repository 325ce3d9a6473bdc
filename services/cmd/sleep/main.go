// Command sleep blocks until SIGTERM or SIGINT (or for a duration given as its argument)
// and exits 0. It is static and has no dependencies, so the image-prewarm DaemonSet can
// run it as the entry point of any image, scratch and distroless included: the image stays
// in use, so kubelet image GC cannot evict it.
//
// `sleep install DEST` copies the binary itself to DEST: the DaemonSet's init container
// uses it to put the binary into a shared emptyDir, with no shell or cp in any image.
package main

import (
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

const usage = "usage: sleep [duration] | sleep install DEST   (duration e.g. 30s; none = until SIGTERM)\n"

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	if len(args) == 2 && args[0] == "install" {
		if err := install(args[1]); err != nil {
			os.Stderr.WriteString("sleep install: " + err.Error() + "\n")
			return 1
		}
		return 0
	}
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, os.Interrupt)
	var timeout <-chan time.Time
	switch len(args) {
	case 0:
	case 1:
		d, err := time.ParseDuration(args[0])
		if err != nil || d < 0 {
			os.Stderr.WriteString(usage)
			return 2
		}
		timeout = time.After(d)
	default:
		os.Stderr.WriteString(usage)
		return 2
	}
	select {
	case <-signals:
	case <-timeout:
	}
	return 0
}

// install copies the running executable to dest, executable by everyone, atomically.
func install(dest string) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	src, err := os.Open(self)
	if err != nil {
		return err
	}
	defer src.Close()
	tmp, err := os.CreateTemp(filepath.Dir(dest), ".sleep-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, src); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o555); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), dest)
}
