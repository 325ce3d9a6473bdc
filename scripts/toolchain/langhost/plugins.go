package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"

	sdk "github.com/pulumi/pulumi/sdk/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/pulumi/pulumi/sdk/v3/python/toolchain"
)

// RunPlugin starts a Python plugin: a policy pack (kind analyzer) or a provider such as a
// component provider whose PulumiPlugin.yaml says `runtime: python`. The plugin prints its
// gRPC port on stdout, which reaches the engine through the response stream.
func (h *host) RunPlugin(
	req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer,
) error {
	ctx := server.Context()
	analyzer := req.Kind == string(apitype.AnalyzerPlugin)
	tc, err := h.resolve(req.Info, !analyzer)
	if err != nil {
		return err
	}
	closer, stdout, stderr, err := rpcutil.MakeRunPluginStreams(server, false)
	if err != nil {
		return err
	}
	defer closer.Close()
	running, stop := h.untilCancelled(ctx)
	defer stop()
	if analyzer {
		err = runPolicyPack(running, tc, req, stdout, stderr)
	} else {
		err = runProvider(running, tc, req, stdout, stderr)
	}
	var exited *exec.ExitError
	if errors.As(err, &exited) {
		return server.Send(&pulumirpc.RunPluginResponse{
			Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: int32(exited.ExitCode())},
		})
	}
	if err != nil {
		return fmt.Errorf("plugin %s: %w", req.Name, err)
	}
	return closer.Close()
}

// runProvider runs a provider plugin in the caller's working directory: its __main__.py
// when it has one, else the buildable package named in its pyproject.toml through the
// SDK's `pulumi.run.plugin` entry point.
func runProvider(
	ctx context.Context, tc toolchain.Toolchain, req *pulumirpc.RunPluginRequest, stdout, stderr io.Writer,
) error {
	cmd, err := providerCommand(ctx, tc, req)
	if err != nil {
		return err
	}
	cmd.Dir = req.Pwd
	cmd.Env = append(inheritedEnv(cmd), req.Env...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	interruptible(cmd)
	return cmd.Run()
}

func providerCommand(
	ctx context.Context, tc toolchain.Toolchain, req *pulumirpc.RunPluginRequest,
) (*exec.Cmd, error) {
	root := req.Info.RootDirectory
	if _, err := os.Stat(filepath.Join(root, "__main__.py")); err == nil {
		return tc.Command(ctx, append([]string{"-u", req.Info.ProgramDirectory}, req.Args...)...)
	}
	pyproject, err := toolchain.LoadPyproject(root)
	if err != nil || pyproject.Project == nil || pyproject.Project.Name == "" {
		return nil, fmt.Errorf("%s has neither __main__.py nor a pyproject.toml naming its project", root)
	}
	args := append([]string{pyproject.Project.Name}, req.Args...)
	return tc.ModuleCommand(ctx, "pulumi.run.plugin", args...)
}

// runPolicyPack runs a policy pack the way packs written for pulumi-policy expect: in the
// pack's directory, with the stack it checks in PULUMI_* variables. Those are known only
// once the engine configures the analyzer, so the SDK's policy proxy answers the engine
// first, then hands the connection to the pack.
func runPolicyPack(
	ctx context.Context, tc toolchain.Toolchain, req *pulumirpc.RunPluginRequest, stdout, stderr io.Writer,
) error {
	proxy, packStdout, err := sdk.NewPolicyProxy(ctx, stdout)
	if err != nil {
		return fmt.Errorf("starting the policy proxy: %w", err)
	}
	stack, err := proxy.AwaitConfiguration(ctx)
	if err != nil {
		return fmt.Errorf("waiting for the stack's configuration: %w", err)
	}
	args := append([]string{"-u", "-m", "pulumi.policy"}, req.Args...)
	cmd, err := tc.Command(ctx, append(args, req.Info.ProgramDirectory)...)
	if err != nil {
		return err
	}
	cmd.Dir = req.Info.ProgramDirectory
	stackEnv, err := policyStackEnv(stack)
	if err != nil {
		return err
	}
	cmd.Env = append(append(inheritedEnv(cmd), stackEnv...), req.Env...)
	cmd.Stdout, cmd.Stderr = packStdout, stderr
	interruptible(cmd)
	if err := cmd.Start(); err != nil {
		return err
	}
	// Attach waits for the pack to exit.
	return proxy.Attach(ctx, cmd)
}

// policyStackEnv is the stack a pack checks, as pulumi-policy reads it from its environment.
func policyStackEnv(stack *pulumirpc.AnalyzerStackConfigureRequest) ([]string, error) {
	if stack == nil {
		return nil, nil
	}
	var env []string
	for name, value := range map[string]string{
		"PULUMI_ORGANIZATION": stack.Organization,
		"PULUMI_PROJECT":      stack.Project,
		"PULUMI_STACK":        stack.Stack,
		"PULUMI_DRY_RUN":      strconv.FormatBool(stack.DryRun),
	} {
		if value != "" {
			env = append(env, name+"="+value)
		}
	}
	if stack.Config != nil {
		config, err := json.Marshal(stack.Config)
		if err != nil {
			return nil, fmt.Errorf("encoding the stack configuration: %w", err)
		}
		env = append(env, "PULUMI_CONFIG="+string(config))
	}
	return env, nil
}

// InstallDependencies makes the virtualenv of a program or plugin (`pulumi install`, and
// `pulumi package add` of a plugin given as a directory). A plugin that is a buildable
// package is installed into its own virtualenv as well.
func (h *host) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest, server pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	ctx := server.Context()
	tc, err := h.resolve(req.Info, req.IsPlugin)
	if err != nil {
		return err
	}
	closer, stdout, stderr, err := rpcutil.MakeInstallDependenciesStreams(server, req.IsTerminal)
	if err != nil {
		return err
	}
	defer closer.Close()
	directory := req.Info.ProgramDirectory
	if req.IsPlugin {
		if err := installPluginPackage(ctx, tc, req, stdout, stderr); err != nil {
			return err
		}
	}
	if err := tc.InstallDependencies(ctx, directory, req.UseLanguageVersionTools, true, stdout, stderr); err != nil {
		return err
	}
	return closer.Close()
}

func installPluginPackage(
	ctx context.Context, tc toolchain.Toolchain, req *pulumirpc.InstallDependenciesRequest,
	stdout, stderr io.Writer,
) error {
	directory := req.Info.ProgramDirectory
	buildable, err := toolchain.IsBuildablePackage(directory)
	if err != nil || !buildable {
		return err
	}
	if err := tc.EnsureVenv(ctx, directory, req.UseLanguageVersionTools, true, stdout, stderr); err != nil {
		return fmt.Errorf("creating the plugin's virtualenv: %w", err)
	}
	cmd, err := tc.ModuleCommand(ctx, "pip", "install", directory)
	if err != nil {
		return err
	}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("installing the plugin package %s: %w", directory, err)
	}
	return nil
}
