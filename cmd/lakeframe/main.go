//go:build cgo

// Command lakeframe runs SQL over files and Iceberg catalogs:
//
//	lakeframe sql -c 'SELECT region, sum(amount) FROM orders GROUP BY 1' orders.parquet
//	lakeframe sql -c 'SELECT * FROM t' t=data/events/*.parquet
//	lakeframe sql -catalog 'sqlite:///tmp/warehouse/catalog.db' -warehouse file:///tmp/warehouse \
//	    -c 'SELECT count(*) FROM db.events'
//
// Each file argument becomes a table named after the file (orders.parquet
// is orders), or the name given as name=path; paths may be globs or
// directories. Parquet, CSV and JSON lines are read by extension.
// Statements separated by semicolons run in order; the result of a final
// SELECT is printed as a table. Without -c, statements are read from
// standard input (a prompt on a terminal), each ending with a semicolon.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"golang.org/x/term"

	"lakeframe/exec/remote"
	"lakeframe/frame"
	"lakeframe/iceberg"
	"lakeframe/sql"
)

const usage = `usage: lakeframe <command> [arguments]

commands:
  sql     run SQL statements over files and catalogs (lakeframe sql -h)
  serve   serve them to PostgreSQL clients: psql, drivers, postgres_fdw (lakeframe serve -h)
`

func main() {
	remote.ServeIfExecutor() // with -executors, this program is also the executor
	defer remote.Cleanup()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "lakeframe:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, in io.Reader, out io.Writer) error {
	if len(args) == 0 {
		return errors.New("no command given\n" + usage)
	}
	switch args[0] {
	case "sql":
		return runSQL(ctx, args[1:], in, out)
	case "serve":
		return runServe(ctx, args[1:], out)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(out, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q\n%s", args[0], usage)
}

func runSQL(ctx context.Context, args []string, in io.Reader, out io.Writer) error {
	fs := flag.NewFlagSet("sql", flag.ContinueOnError)
	var (
		command   = fs.String("c", "", "SQL statements to run; without -c, statements are read from standard input, each ending with ;")
		catalog   = fs.String("catalog", "", "Iceberg catalog URI whose tables SQL may name as namespace.table")
		warehouse = fs.String("warehouse", "", "warehouse location for a SQL catalog (e.g. file:///path)")
		maxRows   = fs.Int("max-rows", 1000, "most rows of a result to print")
	)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: lakeframe sql -c 'SQL' [-catalog URI] [[name=]file ...]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	sess, err := newSession(ctx, fs.Args(), *catalog, *warehouse)
	if err != nil {
		return err
	}
	if *command == "" {
		return shell(ctx, sess, in, out, *maxRows)
	}
	return runStatements(ctx, sess, *command, out, *maxRows)
}

// newSession makes a session with the files and the catalog of the
// command line.
func newSession(ctx context.Context, files []string, catalog, warehouse string, opts ...frame.Option) (*sql.Session, error) {
	sess := sql.NewSession(opts...)
	for _, arg := range files {
		name, df, err := fileTable(arg)
		if err != nil {
			return nil, err
		}
		if err := sess.Register(name, df); err != nil {
			return nil, err
		}
	}
	if catalog != "" {
		props := map[string]string{}
		if warehouse != "" {
			props["warehouse"] = warehouse
		}
		cat, err := iceberg.OpenCatalog(ctx, catalog, props)
		if err != nil {
			return nil, fmt.Errorf("catalog %s: %w", catalog, err)
		}
		sess.AttachCatalog(cat)
	}
	return sess, nil
}

// runStatements runs SQL text and prints the result of a final SELECT.
func runStatements(ctx context.Context, sess *sql.Session, text string, out io.Writer, maxRows int) error {
	df, err := sess.Run(ctx, text)
	if err != nil {
		return err
	}
	if df == nil {
		return nil
	}
	return df.Show(ctx, out, maxRows)
}

// shell reads statements from in, each ending with a semicolon at the end
// of a line, and runs them one after another; a mistake is printed and the
// shell goes on. On a terminal it prompts; \q or end of input ends it.
// The error returned says how many statements failed.
func shell(ctx context.Context, sess *sql.Session, in io.Reader, out io.Writer, maxRows int) error {
	interactive := false
	if f, ok := in.(*os.File); ok {
		interactive = term.IsTerminal(int(f.Fd()))
	}
	prompt := func(continued bool) {
		if !interactive {
			return
		}
		if continued {
			fmt.Fprint(out, "       -> ")
		} else {
			fmt.Fprint(out, "lakeframe> ")
		}
	}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64*1024), 16<<20)
	var stmt strings.Builder
	failed := 0
	prompt(false)
	for sc.Scan() {
		line := sc.Text()
		if stmt.Len() == 0 && strings.TrimSpace(line) == `\q` {
			break
		}
		stmt.WriteString(line)
		stmt.WriteString("\n")
		if !strings.HasSuffix(strings.TrimSpace(line), ";") {
			prompt(stmt.Len() > 0 && strings.TrimSpace(stmt.String()) != "")
			continue
		}
		if err := runStatements(ctx, sess, stmt.String(), out, maxRows); err != nil {
			fmt.Fprintln(out, "ERROR:", err)
			failed++
		}
		stmt.Reset()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		prompt(false)
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if rest := strings.TrimSpace(stmt.String()); rest != "" {
		if err := runStatements(ctx, sess, rest, out, maxRows); err != nil {
			fmt.Fprintln(out, "ERROR:", err)
			failed++
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d statement(s) failed", failed)
	}
	return nil
}

// fileTable reads a [name=]path argument as a frame.
func fileTable(arg string) (string, *frame.DataFrame, error) {
	name, path, named := strings.Cut(arg, "=")
	if !named {
		path = arg
		base := filepath.Base(strings.TrimRight(path, "/"))
		name = strings.TrimSuffix(base, filepath.Ext(base))
	}
	if strings.ContainsAny(name, "*?[") || name == "" {
		return "", nil, fmt.Errorf("%s: cannot name a table after a glob; write name=%s", arg, path)
	}
	ext := strings.ToLower(filepath.Ext(strings.TrimRight(path, "/")))
	switch ext {
	case ".csv":
		return name, frame.ReadCSV(path), nil
	case ".json", ".jsonl", ".ndjson":
		return name, frame.ReadJSON(path), nil
	case ".parquet", "":
		return name, frame.ReadParquet(path), nil
	}
	return "", nil, fmt.Errorf("%s: unknown file type %q (want .parquet, .csv, .json, .jsonl or .ndjson)", arg, ext)
}
