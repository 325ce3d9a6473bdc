package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/blang/semver"
	codegen "github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/pulumi/pulumi/sdk/v3/python/toolchain"
)

// pluginManifests prints, for each installed distribution that ships a pulumi-plugin.json
// in a top-level package, the manifest's path and the distribution's version.
const pluginManifests = `
import importlib.metadata, json
found = []
for dist in importlib.metadata.distributions():
    for file in dist.files or ():
        if file.name == "pulumi-plugin.json" and len(file.parts) == 2:
            found.append({"path": str(file.locate()), "version": dist.version})
print(json.dumps(found))
`

// plainVersion is a release version the engine can use as a plugin version unchanged.
var plainVersion = regexp.MustCompile(`^\d+\.\d+\.\d+$`)

type manifest struct {
	Path    string `json:"path"`
	Version string `json:"version"`
}

// GetRequiredPackages tells the engine which provider plugins (and parameterizations) the
// program's installed Pulumi SDKs need, from each SDK's pulumi-plugin.json. A program
// without its virtualenv gets one first, as `pulumi up` on a fresh checkout expects.
func (h *host) GetRequiredPackages(
	ctx context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	tc, err := h.resolve(req.Info, false)
	if err != nil {
		return nil, err
	}
	if err := tc.EnsureVenv(ctx, req.Info.ProgramDirectory, false, true, os.Stderr, os.Stderr); err != nil {
		return nil, err
	}
	cmd, err := tc.Command(ctx, "-c", pluginManifests)
	if err != nil {
		return nil, err
	}
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("listing the program's Pulumi packages: %w", err)
	}
	var found []manifest
	if err := json.Unmarshal(out, &found); err != nil {
		return nil, fmt.Errorf("reading the program's Pulumi packages: %w", err)
	}
	response := &pulumirpc.GetRequiredPackagesResponse{}
	for _, entry := range found {
		dependency, err := packageDependency(entry)
		if err != nil {
			return nil, err
		}
		if dependency != nil {
			response.Packages = append(response.Packages, dependency)
		}
	}
	return response, nil
}

// packageDependency is the plugin one SDK needs, or nil when it needs none (`resource:
// false`) or its version is not a plain release: a PEP 440 pre-release does not name its
// plugin's version exactly, and this host does not guess.
func packageDependency(entry manifest) (*pulumirpc.PackageDependency, error) {
	manifest, err := plugin.LoadPulumiPluginJSON(entry.Path)
	if err != nil {
		return nil, err
	}
	if !manifest.Resource {
		return nil, nil
	}
	name := manifest.Name
	if name == "" {
		name = strings.TrimPrefix(filepath.Base(filepath.Dir(entry.Path)), "pulumi_")
	}
	version := manifest.Version
	if version == "" {
		if !plainVersion.MatchString(entry.Version) {
			logging.V(5).Infof("skipping %s: version %s names no plugin version", name, entry.Version)
			return nil, nil
		}
		version = entry.Version
	}
	return &pulumirpc.PackageDependency{
		Name:             name,
		Kind:             "resource",
		Version:          "v" + strings.TrimPrefix(version, "v"),
		Server:           manifest.Server,
		Parameterization: parameterization(manifest.Parameterization),
		Extension:        parameterization(manifest.ExtensionParameterization),
	}, nil
}

func parameterization(p *plugin.PulumiParameterizationJSON) *pulumirpc.PackageParameterization {
	if p == nil {
		return nil
	}
	return &pulumirpc.PackageParameterization{Name: p.Name, Version: p.Version, Value: p.Value}
}

// GeneratePackage writes a Python SDK for a package schema (`pulumi package add`,
// `pulumi package gen-sdk --language python`) with the SDK's own Python generator.
func (h *host) GeneratePackage(
	ctx context.Context, req *pulumirpc.GeneratePackageRequest,
) (*pulumirpc.GeneratePackageResponse, error) {
	loader, err := schema.NewLoaderClient(req.LoaderTarget)
	if err != nil {
		return nil, err
	}
	defer loader.Close()
	var spec schema.PackageSpec
	if err := json.Unmarshal([]byte(req.Schema), &spec); err != nil {
		return nil, fmt.Errorf("reading the package schema: %w", err)
	}
	cached := schema.NewCachedLoader(loader)
	pkg, diags, err := schema.BindSpec(spec, cached, schema.ValidationOptions{AllowDanglingReferences: true})
	if err != nil {
		return nil, err
	}
	response := &pulumirpc.GeneratePackageResponse{Diagnostics: plugin.HclDiagnosticsToRPCDiagnostics(diags)}
	if diags.HasErrors() {
		return response, nil
	}
	files, err := codegen.GeneratePackage("pulumi-language-python", pkg, req.ExtraFiles, cached)
	if err != nil {
		return nil, err
	}
	for name, content := range files {
		path := filepath.Join(req.Directory, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, content, 0o644); err != nil {
			return nil, err
		}
	}
	return response, nil
}

// Link adds generated SDKs to the program's dependencies (requirements.txt for pip, the
// pyproject for poetry and uv) and says how to import them.
func (h *host) Link(ctx context.Context, req *pulumirpc.LinkRequest) (*pulumirpc.LinkResponse, error) {
	options, err := pythonOptions(req.Info, false, h.defaults)
	if err != nil {
		return nil, err
	}
	loader, err := schema.NewLoaderClient(req.LoaderTarget)
	if err != nil {
		return nil, err
	}
	defer loader.Close()
	cached := schema.NewCachedLoader(loader)
	paths := map[string]string{}
	var instructions strings.Builder
	instructions.WriteString("Import the SDK in your Python code with:\n\n")
	for _, dependency := range req.Packages {
		if dependency.Package.Name == "pulumi" {
			paths["pulumi"] = dependency.Path
			continue
		}
		distribution, module, err := pythonNames(ctx, cached, dependency.Package)
		if err != nil {
			return nil, err
		}
		paths[distribution] = dependency.Path
		fmt.Fprintf(&instructions, "  import %s as %s\n", distribution, module)
	}
	tc, err := toolchain.ResolveToolchain(options)
	if err != nil {
		return nil, err
	}
	if err := tc.LinkPackages(ctx, paths); err != nil {
		return nil, fmt.Errorf("linking packages: %w", err)
	}
	return &pulumirpc.LinkResponse{ImportInstructions: instructions.String()}, nil
}

// pythonNames are the distribution and module names of a package's generated Python SDK.
func pythonNames(
	ctx context.Context, loader schema.ReferenceLoader, pkg *pulumirpc.PackageDependency,
) (string, string, error) {
	descriptor := &schema.PackageDescriptor{Name: pkg.Name, DownloadURL: pkg.Server}
	if version, err := semver.ParseTolerant(pkg.Version); err == nil {
		descriptor.Version = &version
	}
	if p := pkg.Parameterization; p != nil {
		descriptor.Parameterization = &schema.ParameterizationDescriptor{Name: p.Name, Value: p.Value}
		if version, err := semver.ParseTolerant(p.Version); err == nil {
			descriptor.Parameterization.Version = version
		}
	}
	ref, err := schema.LoadPackageReferenceV2(ctx, loader, descriptor)
	if err != nil {
		return "", "", err
	}
	definition, err := ref.Definition()
	if err != nil {
		return "", "", err
	}
	if err := definition.ImportLanguages(map[string]schema.Language{"python": codegen.Importer}); err != nil {
		return "", "", err
	}
	if info, ok := definition.Language["python"].(codegen.PackageInfo); ok && info.PackageName != "" {
		return info.PackageName, info.PackageName, nil
	}
	return codegen.PyPack(ref.Namespace(), ref.Name()), strings.ReplaceAll(ref.Name(), "-", "_"), nil
}
