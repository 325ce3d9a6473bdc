// Command pulumi-language-python is warmstart's SANDBOX-ONLY Python language host.
//
// The Pulumi CLI starts a language host to run a Python program, a Python policy pack or a
// Python plugin (a component provider with `runtime: python` in PulumiPlugin.yaml). Pulumi
// ships its own host with the CLI; a machine that builds the CLI from the Go module proxy
// cannot build that host, because the proxy refuses its module. This host is ours, built on
// what the proxy does serve: the engine's gRPC interfaces (sdk/v3/proto/go), the SDK's Python
// toolchain (virtualenvs, pip, linking) and the Python code generator (pkg/v3/codegen/python).
//
// It serves the CLI paths warmstart uses (docs/sandbox.md lists them) and answers the rest as
// unimplemented, so a CLI path it does not serve fails loudly instead of doing the wrong
// thing. Real users run Pulumi's own host; nothing in the product depends on this one.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

// execScript is the Python entry point that runs a program against the engine; it comes
// with the SDK at the CLI's version and is installed beside this binary.
const execScript = "pulumi-language-python-exec"

// engineHealthWindow is how long the host outlives an engine that stops answering.
const engineHealthWindow = 5 * time.Minute

func main() {
	showVersion := flag.Bool("version", false, "print the version and exit")
	// The CLI passes -tracing and, for some commands, -root; neither changes what we do.
	flag.String("tracing", "", "ignored: tracing endpoint")
	flag.String("root", "", "ignored: project root")
	// Runtime options on the command line, as older SDKs' plugin loaders pass them (the
	// YAML host's, for one); a request's own options win.
	defaults := map[string]*string{}
	for _, name := range []string{"toolchain", "virtualenv", "typechecker"} {
		defaults[name] = flag.String(name, "", "runtime option "+name+" where a request has none")
	}
	flag.Parse()
	if *showVersion {
		fmt.Println(version.Version)
		return
	}
	logging.InitLogging(false, 0, false)
	given := map[string]any{}
	for name, value := range defaults {
		if *value != "" {
			given[name] = *value
		}
	}
	if err := serve(flag.Args(), given); err != nil {
		cmdutil.Exit(err)
	}
}

func serve(args []string, defaults map[string]any) error {
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("locating this host: %w", err)
	}
	script := filepath.Join(filepath.Dir(self), execScript)
	if _, err := os.Stat(script); err != nil {
		return fmt.Errorf("the program runner %s is missing beside the host: %w", execScript, err)
	}
	serving, shutdown := signal.NotifyContext(context.Background(), os.Interrupt)
	defer shutdown()
	host := newHost(script, serving, shutdown)
	host.defaults = defaults
	if len(args) > 0 {
		if err := host.watchEngine(args[0]); err != nil {
			return err
		}
	}
	cancel := make(chan bool)
	go func() { <-serving.Done(); close(cancel) }()
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancel,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
	})
	if err != nil {
		return fmt.Errorf("starting the language host's gRPC server: %w", err)
	}
	// The CLI reads the port from the first line we print.
	fmt.Printf("%d\n", handle.Port)
	return <-handle.Done
}

// host implements pulumirpc.LanguageRuntimeServer for Python. Methods it does not define
// come from UnimplementedLanguageRuntimeServer and answer codes.Unimplemented.
type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	script        string
	engineAddress string
	// runtime options from the command line, for requests that carry none
	defaults map[string]any
	// serving lasts as long as the gRPC server; shutdown ends both.
	serving  context.Context
	shutdown context.CancelFunc
	// cancelled when the engine sends Cancel: running programs and plugins are interrupted.
	cancelled context.Context
	cancel    context.CancelFunc
}

func newHost(script string, serving context.Context, shutdown context.CancelFunc) *host {
	cancelled, cancel := context.WithCancel(context.Background())
	return &host{
		script: script, serving: serving, shutdown: shutdown, cancelled: cancelled, cancel: cancel,
	}
}

// watchEngine records the engine's address and shuts the host down when the engine stops
// answering, so no host outlives a killed `pulumi` for long.
func (h *host) watchEngine(address string) error {
	h.engineAddress = address
	if err := rpcutil.Healthcheck(h.serving, address, engineHealthWindow, h.shutdown); err != nil {
		return fmt.Errorf("watching the engine at %s: %w", address, err)
	}
	return nil
}

// Handshake is how a CLI that starts the host without arguments gives it the engine.
func (h *host) Handshake(
	ctx context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	if req.EngineAddress == "" {
		return nil, errors.New("handshake without an engine address")
	}
	if req.EngineAddress != h.engineAddress {
		if err := h.watchEngine(req.EngineAddress); err != nil {
			return nil, err
		}
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

func (h *host) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	h.cancel()
	return &emptypb.Empty{}, nil
}
