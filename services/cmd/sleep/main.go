// Command sleep blocks until SIGTERM or SIGINT (or for a duration given as its argument)
// and exits 0. It is static and has no dependencies, so the image-prewarm DaemonSet can
// copy it into an emptyDir and run it as the entry point of any image, scratch and
// distroless included: the image stays in use, so kubelet image GC cannot evict it.
package main

import (
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, os.Interrupt)
	var timeout <-chan time.Time
	switch len(args) {
	case 0:
	case 1:
		d, err := time.ParseDuration(args[0])
		if err != nil || d < 0 {
			os.Stderr.WriteString("usage: sleep [duration]   (for example 30s; none = until SIGTERM)\n")
			return 2
		}
		timeout = time.After(d)
	default:
		os.Stderr.WriteString("usage: sleep [duration]\n")
		return 2
	}
	select {
	case <-signals:
	case <-timeout:
	}
	return 0
}
