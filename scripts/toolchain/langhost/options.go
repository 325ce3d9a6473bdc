package main

import (
	"context"
	"fmt"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/pulumi/pulumi/sdk/v3/python/toolchain"
)

// toolchains are the `runtime.options.toolchain` values of Pulumi.yaml and PulumiPlugin.yaml.
var toolchains = map[string]toolchain.PythonOptions{
	"pip":    {Toolchain: toolchain.Pip},
	"poetry": {Toolchain: toolchain.Poetry},
	"uv":     {Toolchain: toolchain.Uv},
}

// pythonOptions reads the runtime options of a program, pack or plugin: those of the request,
// else those the host was started with (`-toolchain=pip -virtualenv=venv`, as a CLI or a
// language host of an older SDK passes them). A plugin without a virtualenv option gets
// `venv`, as with Pulumi's own host: plugins never run in the ambient interpreter. Type
// checkers are refused rather than silently skipped.
func pythonOptions(
	info *pulumirpc.ProgramInfo, isPlugin bool, defaults map[string]any,
) (toolchain.PythonOptions, error) {
	options := toolchain.PythonOptions{Root: info.RootDirectory, ProgramDir: info.ProgramDirectory}
	settings := map[string]any{}
	for name, value := range defaults {
		settings[name] = value
	}
	for name, value := range info.GetOptions().AsMap() {
		settings[name] = value
	}
	if name, ok := settings["toolchain"]; ok {
		chosen, known := toolchains[fmt.Sprint(name)]
		if !known {
			return options, fmt.Errorf("runtime option toolchain %q: use pip, poetry or uv", name)
		}
		options.Toolchain = chosen.Toolchain
	}
	if virtualenv, ok := settings["virtualenv"]; ok {
		path, isString := virtualenv.(string)
		if !isString {
			return options, fmt.Errorf("runtime option virtualenv %v: must be a path", virtualenv)
		}
		options.Virtualenv = path
	}
	if checker, ok := settings["typechecker"]; ok {
		return options, fmt.Errorf("runtime option typechecker %v: this sandbox host runs none", checker)
	}
	pipLike := options.Toolchain == toolchain.Pip || options.Toolchain == toolchain.Auto
	if isPlugin && pipLike && options.Virtualenv == "" {
		options.Virtualenv = "venv"
	}
	return options, nil
}

// resolve returns the toolchain (pip in a virtualenv, poetry or uv) of a program or plugin.
func (h *host) resolve(info *pulumirpc.ProgramInfo, isPlugin bool) (toolchain.Toolchain, error) {
	options, err := pythonOptions(info, isPlugin, h.defaults)
	if err != nil {
		return nil, err
	}
	return toolchain.ResolveToolchain(options)
}

// About reports the interpreter, as `pulumi about` shows it.
func (h *host) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	info := req.GetInfo()
	if info == nil {
		info = &pulumirpc.ProgramInfo{}
	}
	tc, err := h.resolve(info, false)
	if err != nil {
		return nil, err
	}
	about, err := tc.About(ctx)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.AboutResponse{
		Executable: about.PythonExecutable,
		Version:    about.PythonVersion.String(),
		Metadata:   map[string]string{"toolchainVersion": about.ToolchainVersion.String()},
	}, nil
}

// GetProgramDependencies lists the program's Python packages (`pulumi about`).
func (h *host) GetProgramDependencies(
	ctx context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	tc, err := h.resolve(req.Info, false)
	if err != nil {
		return nil, err
	}
	installed, err := tc.ListPackages(ctx, req.TransitiveDependencies)
	if err != nil {
		return nil, fmt.Errorf("listing the program's packages: %w", err)
	}
	response := &pulumirpc.GetProgramDependenciesResponse{}
	for _, dependency := range installed {
		response.Dependencies = append(response.Dependencies,
			&pulumirpc.DependencyInfo{Name: dependency.Name, Version: dependency.Version})
	}
	return response, nil
}

// RuntimeOptionsPrompts asks nothing: `pulumi new` is not a path this host serves.
func (h *host) RuntimeOptionsPrompts(
	context.Context, *pulumirpc.RuntimeOptionsRequest,
) (*pulumirpc.RuntimeOptionsResponse, error) {
	return &pulumirpc.RuntimeOptionsResponse{}, nil
}
