// Command etcd runs the etcd server from its published module. SANDBOX-ONLY.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
