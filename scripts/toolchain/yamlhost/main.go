// Command pulumi-language-yaml is the Pulumi YAML language host for the SANDBOX toolchain.
//
// The module proxy serves pulumi-yaml up to v1.25.0, whose host predates the Link call
// that `pulumi package add` makes on the CLI this toolchain builds (3.259): with it, adding
// a package to a YAML program fails with "method Link not implemented" after the package
// is resolved. A YAML program has no generated SDK to link: the package is recorded in
// Pulumi.yaml, which the CLI does itself. So this host is v1.25.0's own, served as is,
// answering Link with nothing to do. Real users run the YAML host their CLI ships.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/pulumi/pulumi-yaml/pkg/server"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
)

// engineHealthWindow is how long the host outlives an engine that stops answering.
const engineHealthWindow = 5 * time.Minute

// host is pulumi-yaml's language host with Link answered.
type host struct {
	pulumirpc.LanguageRuntimeServer
}

// Link has nothing to link for YAML: no SDK is generated for it.
func (host) Link(context.Context, *pulumirpc.LinkRequest) (*pulumirpc.LinkResponse, error) {
	return &pulumirpc.LinkResponse{}, nil
}

func main() {
	tracing := flag.String("tracing", "", "tracing endpoint, handed to the YAML host")
	flag.String("root", "", "ignored: project root")
	flag.String("compiler", "", "ignored: obsolete")
	flag.Parse()
	logging.InitLogging(false, 0, false)
	if err := serve(flag.Args(), *tracing); err != nil {
		cmdutil.Exit(err)
	}
}

func serve(args []string, tracing string) error {
	serving, shutdown := signal.NotifyContext(context.Background(), os.Interrupt)
	defer shutdown()
	engine := ""
	if len(args) > 0 {
		engine = args[0]
		if err := rpcutil.Healthcheck(serving, engine, engineHealthWindow, shutdown); err != nil {
			return fmt.Errorf("watching the engine at %s: %w", engine, err)
		}
	}
	cancel := make(chan bool)
	go func() { <-serving.Done(); close(cancel) }()
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancel,
		Init: func(srv *grpc.Server) error {
			yaml := server.NewLanguageHost(engine, tracing, false)
			pulumirpc.RegisterLanguageRuntimeServer(srv, host{yaml})
			return nil
		},
	})
	if err != nil {
		return fmt.Errorf("starting the YAML language host: %w", err)
	}
	// The CLI reads the port from the first line we print.
	fmt.Printf("%d\n", handle.Port)
	return <-handle.Done
}
