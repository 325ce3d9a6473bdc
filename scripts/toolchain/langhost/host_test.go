package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/pulumi/pulumi/sdk/v3/python/toolchain"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
)

func programInfo(t *testing.T, options map[string]any) *pulumirpc.ProgramInfo {
	t.Helper()
	settings, err := structpb.NewStruct(options)
	if err != nil {
		t.Fatal(err)
	}
	return &pulumirpc.ProgramInfo{RootDirectory: "/p", ProgramDirectory: "/p", Options: settings}
}

func TestPluginsGetAVirtualenvByDefaultProgramsDoNot(t *testing.T) {
	plugin, err := pythonOptions(programInfo(t, nil), true, nil)
	if err != nil || plugin.Virtualenv != "venv" {
		t.Fatalf("plugin: %+v, %v", plugin, err)
	}
	program, err := pythonOptions(programInfo(t, nil), false, nil)
	if err != nil || program.Virtualenv != "" {
		t.Fatalf("program: %+v, %v", program, err)
	}
	poetry, err := pythonOptions(programInfo(t, map[string]any{"toolchain": "poetry"}), true, nil)
	if err != nil || poetry.Virtualenv != "" || poetry.Toolchain != toolchain.Poetry {
		t.Fatalf("poetry plugin: %+v, %v", poetry, err)
	}
}

func TestCommandLineOptionsApplyWhereTheRequestHasNone(t *testing.T) {
	defaults := map[string]any{"toolchain": "poetry", "virtualenv": "env"}
	got, err := pythonOptions(programInfo(t, map[string]any{"virtualenv": "venv"}), true, defaults)
	if err != nil || got.Toolchain != toolchain.Poetry || got.Virtualenv != "venv" {
		t.Fatalf("got %+v, %v", got, err)
	}
}

func TestOptionsThisHostCannotHonourAreRefused(t *testing.T) {
	for name, options := range map[string]map[string]any{
		"typechecker":       {"typechecker": "mypy"},
		"unknown toolchain": {"toolchain": "conda"},
		"virtualenv number": {"virtualenv": 3.0},
	} {
		if _, err := pythonOptions(programInfo(t, options), false, nil); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestRunArgumentsCarryTheRequestInTheRunnersFlags(t *testing.T) {
	req := &pulumirpc.RunRequest{
		MonitorAddress: "127.0.0.1:1", Project: "warmstart", Stack: "local", Pwd: "/p",
		DryRun: true, Parallel: 4, Args: []string{"extra"},
		Info: &pulumirpc.ProgramInfo{RootDirectory: "/p", EntryPoint: "."},
	}
	got := runArguments(req, "127.0.0.1:2")
	want := []string{
		"--monitor", "127.0.0.1:1", "--engine", "127.0.0.1:2", "--project", "warmstart",
		"--root_directory", "/p", "--stack", "local", "--pwd", "/p", "--dry_run", "true",
		"--parallel", "4", ".", "extra",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}

func TestProgramEnvPassesConfigAndSecretKeysAsJSON(t *testing.T) {
	req := &pulumirpc.RunRequest{
		Config:           map[string]string{"warmstart:namespace": "ws"},
		ConfigSecretKeys: []string{"warmstart:token"},
	}
	got, err := programEnv(req)
	want := []string{
		`PULUMI_CONFIG_SECRET_KEYS=["warmstart:token"]`,
		`PULUMI_CONFIG={"warmstart:namespace":"ws"}`,
	}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q, %v", got, err)
	}
	empty, _ := programEnv(&pulumirpc.RunRequest{})
	if !reflect.DeepEqual(empty, []string{"PULUMI_CONFIG_SECRET_KEYS=[]"}) {
		t.Fatalf("no config: %q", empty)
	}
}

func TestRunResponseBailsOnlyOnTheSDKsOwnExitCode(t *testing.T) {
	exit := func(code string) error { return exec.Command("sh", "-c", "exit "+code).Run() }
	if got := runResponse(exit("32")); !got.Bail || got.Error != "" {
		t.Errorf("exit 32: %v", got)
	}
	if got := runResponse(exit("1")); got.Bail || got.Error != "program exited with non-zero exit code: 1" {
		t.Errorf("exit 1: %v", got)
	}
	if got := runResponse(nil); got.Bail || got.Error != "" {
		t.Errorf("success: %v", got)
	}
}

func writeManifest(t *testing.T, module, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), module, "pulumi-plugin.json")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestPackageDependencyFromAnSDKsManifest(t *testing.T) {
	cases := []struct {
		name, module, manifest, version string
		want                            *pulumirpc.PackageDependency
	}{
		{
			name: "named and versioned", module: "pulumi_kubernetes",
			manifest: `{"resource": true, "name": "kubernetes", "version": "4.25.0"}`, version: "4.25.0",
			want: &pulumirpc.PackageDependency{Name: "kubernetes", Kind: "resource", Version: "v4.25.0"},
		},
		{
			name: "version from the distribution", module: "pulumi_greeter",
			manifest: `{"resource": true, "name": "greeter"}`, version: "1.2.3",
			want: &pulumirpc.PackageDependency{Name: "greeter", Kind: "resource", Version: "v1.2.3"},
		},
		{
			name: "name from the module", module: "pulumi_random",
			manifest: `{"resource": true}`, version: "4.0.0",
			want: &pulumirpc.PackageDependency{Name: "random", Kind: "resource", Version: "v4.0.0"},
		},
		{
			name: "parameterized", module: "pulumi_thing",
			manifest: `{"resource": true, "name": "terraform-provider", "version": "1.0.0",
				"parameterization": {"name": "thing", "version": "2.0.0", "value": "eA=="}}`,
			version: "2.0.0",
			want: &pulumirpc.PackageDependency{
				Name: "terraform-provider", Kind: "resource", Version: "v1.0.0",
				Parameterization: &pulumirpc.PackageParameterization{
					Name: "thing", Version: "2.0.0", Value: []byte("x"),
				},
			},
		},
		{name: "no plugin", module: "pulumi_policy", manifest: `{"resource": false}`, version: "1.0.0"},
		{name: "pre-release", module: "pulumi_x", manifest: `{"resource": true}`, version: "1.0.0a1"},
	}
	for _, c := range cases {
		path := writeManifest(t, c.module, c.manifest)
		got, err := packageDependency(manifest{Path: path, Version: c.version})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if (c.want == nil) != (got == nil) || (c.want != nil && !proto.Equal(got, c.want)) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}
