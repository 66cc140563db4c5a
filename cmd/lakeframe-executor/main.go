// Command lakeframe-executor serves as a lakeframe executor for
// coordinators on other hosts, with mutual TLS: it accepts only
// coordinators whose client certificate the CA signed.
//
//	lakeframe-executor -listen 10.0.0.2:7070 -ca ca.pem -cert executor.pem -key executor-key.pem
//
// A coordinator attaches with remote.Attach. This program knows the
// built-in sources only (Parquet files, local or on S3, and Iceberg
// tables); a program with sources or functions of its own calls
// remote.ServeTCP itself.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"

	"lakeframe/exec/remote"
	// The built-in sources whose scans executors run register their
	// codecs when imported.
	_ "lakeframe/exec/source/parquet"
	_ "lakeframe/iceberg"
)

func main() {
	listen := flag.String("listen", "", "address to serve on, host:port")
	ca := flag.String("ca", "", "PEM file of the CA that signs coordinators' certificates")
	cert := flag.String("cert", "", "PEM file of this executor's certificate")
	key := flag.String("key", "", "PEM file of this executor's private key")
	flag.Parse()
	if *listen == "" || *ca == "" || *cert == "" || *key == "" {
		fmt.Fprintln(os.Stderr, "lakeframe-executor: -listen, -ca, -cert and -key are required")
		flag.Usage()
		os.Exit(2)
	}
	t, err := remote.LoadTLS(*ca, *cert, *key)
	if err != nil {
		log.Fatalf("lakeframe-executor: %v", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := remote.ServeTCP(ctx, *listen, t); err != nil {
		log.Fatalf("lakeframe-executor: %v", err)
	}
}
