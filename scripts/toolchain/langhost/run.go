package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"time"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// bailExitCode is what the SDK exits with after it has shown the user an actionable error:
// the engine then adds no message of its own.
const bailExitCode = 32

// interruptGrace is how long an interrupted program or plugin has to finish on its own.
const interruptGrace = 5 * time.Second

// Run runs a Python program (`pulumi preview`, `up`, `destroy`, ...) through the SDK's
// runner script, which connects to the resource monitor and the engine.
func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	if h.engineAddress == "" {
		return nil, errors.New("run before the engine was known: the CLI must handshake first")
	}
	tc, err := h.resolve(req.Info, false)
	if err != nil {
		return nil, err
	}
	if err := tc.ValidateVenv(ctx); err != nil {
		return nil, err
	}
	env, err := programEnv(req)
	if err != nil {
		return nil, err
	}
	running, stop := h.untilCancelled(ctx)
	defer stop()
	cmd, err := tc.Command(running, append([]string{h.script}, runArguments(req, h.engineAddress)...)...)
	if err != nil {
		return nil, err
	}
	interruptible(cmd)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.Env = append(inheritedEnv(cmd), env...)
	return runResponse(cmd.Run()), nil
}

// runArguments is the runner script's command line for one RunRequest.
func runArguments(req *pulumirpc.RunRequest, engineAddress string) []string {
	var args []string
	flags := [][2]string{
		{"monitor", req.GetMonitorAddress()},
		{"engine", engineAddress},
		{"project", req.GetProject()},
		{"root_directory", req.GetInfo().GetRootDirectory()},
		{"stack", req.GetStack()},
		{"pwd", req.GetPwd()},
		{"dry_run", strconv.FormatBool(req.GetDryRun())},
		{"parallel", strconv.Itoa(int(req.GetParallel()))},
		{"organization", req.GetOrganization()},
	}
	for _, flag := range flags {
		if flag[1] != "" {
			args = append(args, "--"+flag[0], flag[1])
		}
	}
	args = append(args, req.GetInfo().GetEntryPoint())
	return append(args, req.GetArgs()...)
}

// programEnv passes the stack's configuration the way the SDK reads it: as JSON in
// PULUMI_CONFIG, with the names of the secret keys in PULUMI_CONFIG_SECRET_KEYS.
func programEnv(req *pulumirpc.RunRequest) ([]string, error) {
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	keys, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, err
	}
	env := []string{"PULUMI_CONFIG_SECRET_KEYS=" + string(keys)}
	if req.GetConfig() != nil {
		config, err := json.Marshal(req.GetConfig())
		if err != nil {
			return nil, fmt.Errorf("encoding the stack configuration: %w", err)
		}
		env = append(env, "PULUMI_CONFIG="+string(config))
	}
	return env, nil
}

// runResponse turns the program's exit into what the engine reports.
func runResponse(err error) *pulumirpc.RunResponse {
	if err == nil {
		return &pulumirpc.RunResponse{}
	}
	var exited *exec.ExitError
	if !errors.As(err, &exited) {
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("could not start the Python program: %v", err)}
	}
	if exited.ExitCode() == bailExitCode {
		return &pulumirpc.RunResponse{Bail: true}
	}
	return &pulumirpc.RunResponse{
		Error: fmt.Sprintf("program exited with non-zero exit code: %d", exited.ExitCode()),
	}
}

// untilCancelled is the request's context, also ended by the engine's Cancel.
func (h *host) untilCancelled(ctx context.Context) (context.Context, context.CancelFunc) {
	running, stop := context.WithCancel(ctx)
	unregister := context.AfterFunc(h.cancelled, stop)
	return running, func() { unregister(); stop() }
}

// interruptible makes a cancelled command get SIGINT first, as a user's Ctrl-C would, so
// the SDK can finish its in-flight registrations; it is killed after interruptGrace.
func interruptible(cmd *exec.Cmd) {
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = interruptGrace
}

// inheritedEnv is the environment a toolchain command starts with: the toolchain's own
// (an activated virtualenv) or, when it sets none, this process's.
func inheritedEnv(cmd *exec.Cmd) []string {
	if cmd.Env != nil {
		return cmd.Env
	}
	return os.Environ()
}
