package cli

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/faxjam/faxjam/pkg/backup"
	"github.com/faxjam/faxjam/pkg/journal"
	"github.com/faxjam/faxjam/pkg/ui"
)

// HubBackupOptions are the inputs of `faxjam hub backup` and `hub restore`.
type HubBackupOptions struct {
	IO      *ui.IOStreams
	JSON    bool
	DataDir string
	DB      string // --db: the hub's journal, as serve's --db ("" = hub.db in the data dir)
	File    string // backup: -o FILE; restore: the backup to put back
	Force   bool   // restore: replace the hub's databases (kept as .before-restore)
}

func newHubCmd(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "hub",
		Short: "Look after a campaign hub's data: backup and restore",
		Long: `Look after the data of a campaign hub ('faxjam serve') kept in SQLite: its
journal (every action, attempt and outcome) and its petition signatures.
'hub backup' copies both while the hub runs; 'hub restore' puts a copy back
with the hub stopped. A hub on PostgreSQL uses pg_dump and pg_restore.`,
		Example: `  faxjam hub backup -o hub-$(date +%F).db
  faxjam hub restore hub-2026-12-05.db --force`,
	}
	cmd.AddCommand(newHubBackupCmd(f), newHubRestoreCmd(f))
	return cmd
}

func (f *Factory) hubBackupOptions(o *HubBackupOptions) {
	o.IO, o.JSON, o.DataDir = f.IO, f.JSON, f.DataHome()
}

func newHubBackupCmd(f *Factory) *cobra.Command {
	opts := &HubBackupOptions{}
	cmd := &cobra.Command{
		Use:   "backup -o FILE",
		Short: "Copy the hub's journal and signatures, consistently, while it runs",
		Long: `Copy a hub's journal (--db, as given to serve) to FILE and its petition
signatures beside it (FILE-petition.db for FILE.db), while the hub runs:
each copy is the database as of one instant, checked and written whole, mode
600 (it holds people's names). 'faxjam hub restore FILE' puts it back. A hub
on PostgreSQL is backed up with pg_dump instead (see the README).`,
		Example: `  faxjam hub backup -o /var/backups/faxjam/hub-$(date +%F).db
  faxjam hub backup --db /srv/faxjam/hub.db -o hub-copy.db`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.hubBackupOptions(opts)
			return hubBackupRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVarP(&opts.File, "output", "o", "", "the backup `FILE` (required; the signatures go beside it)")
	cmd.Flags().StringVar(&opts.DB, "db", "", "the hub's journal `FILE`, as serve's --db (default hub.db in the data dir)")
	return cmd
}

func newHubRestoreCmd(f *Factory) *cobra.Command {
	opts := &HubBackupOptions{}
	cmd := &cobra.Command{
		Use:   "restore FILE",
		Short: "Put a hub backup back, with the hub stopped",
		Long: `Put the backup FILE (and its signatures beside it) back as the hub's journal
(--db, as given to serve). The hub must be stopped. An existing journal is
replaced only with --force, and is kept as JOURNAL.before-restore. The backup
may not know of faxes sent after it was taken, so the restored journal asks
the gateway about each signer's first fax before sending it (where the
gateway can be asked): nobody is faxed twice.`,
		Example: `  faxjam hub restore /var/backups/faxjam/hub-2026-12-05.db --force`,
		Args:    usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.hubBackupOptions(opts)
			opts.File = args[0]
			return hubRestoreRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.DB, "db", "", "the hub's journal `FILE`, as serve's --db (default hub.db in the data dir)")
	cmd.Flags().BoolVar(&opts.Force, "force", false, "replace the hub's journal and signatures (they are kept as .before-restore)")
	return cmd
}

type backupJSON struct {
	Journal    string `json:"journal"`
	Signatures string `json:"signatures,omitempty"`
}

func hubBackupRun(ctx context.Context, o *HubBackupOptions) error {
	if o.File == "" {
		return usagef("-o FILE is required: where the backup goes")
	}
	if isPostgres(o.DB) {
		return &UsageError{Err: errors.New("a hub on PostgreSQL is backed up with pg_dump, not hub backup"), Hint: "see the README's backup section"}
	}
	jpath, sigs := hubPaths(o.DB, o.DataDir)
	outJ, outS := hubPaths(o.File, o.DataDir)
	if _, err := os.Stat(jpath); err != nil {
		return usagef("no hub journal at %s: give --db as serve has it", jpath)
	}
	var done backupJSON
	if err := backup.Copy(ctx, jpath, outJ, false); err != nil {
		if errors.Is(err, backup.ErrExists) {
			return usagef("%s exists: give -o a new file", outJ)
		}
		return err
	}
	done.Journal = outJ
	// The journal first: a signature it records as petitioned is then in
	// the signatures' copy, taken after it.
	if _, err := os.Stat(sigs); err == nil {
		if err := backup.Copy(ctx, sigs, outS, false); err != nil {
			if errors.Is(err, backup.ErrExists) {
				return usagef("%s exists: give -o a new file", outS)
			}
			return err
		}
		done.Signatures = outS
	}
	if o.JSON {
		return ui.NewJSON(o.IO.Out).Print("backup", done)
	}
	fmt.Fprintf(o.IO.ErrOut, "Backed up the journal %s to %s", jpath, done.Journal)
	if done.Signatures != "" {
		fmt.Fprintf(o.IO.ErrOut, " and the signatures to %s", done.Signatures)
	}
	fmt.Fprintf(o.IO.ErrOut, ".\n`faxjam hub restore %s` puts them back.\n", done.Journal)
	return nil
}

func hubRestoreRun(ctx context.Context, o *HubBackupOptions) error {
	if isPostgres(o.DB) {
		return &UsageError{Err: errors.New("a hub on PostgreSQL is restored with pg_restore, not hub restore"), Hint: "see the README's backup section"}
	}
	srcJ, srcS := hubPaths(o.File, o.DataDir)
	jpath, sigs := hubPaths(o.DB, o.DataDir)
	if _, err := os.Stat(srcJ); err != nil {
		return usagef("no backup at %s", srcJ)
	}
	// The backup must be a journal faxjam can open, before anything is
	// touched: opening checks its marker, header and pages.
	if err := checkJournal(ctx, srcJ); err != nil {
		return &UsageError{Err: fmt.Errorf("%s is not a sound hub journal: %w", srcJ, err)}
	}
	l, err := journal.Acquire(jpath)
	var le *journal.LockedError
	if errors.As(err, &le) {
		return fmt.Errorf("%w: stop the hub, then restore", err)
	}
	if err != nil {
		return err
	}
	defer l.Release()
	var done backupJSON
	for _, p := range []struct{ src, dst string }{{srcJ, jpath}, {srcS, sigs}} {
		if _, err := os.Stat(p.src); err != nil {
			continue // a backup of a hub that had no signatures yet
		}
		if _, err := os.Stat(p.dst); err == nil {
			if !o.Force {
				return usagef("%s exists: --force replaces it (keeping it as %s.before-restore)", p.dst, p.dst)
			}
			if err := backup.Copy(ctx, p.dst, p.dst+".before-restore", true); err != nil {
				return err
			}
		}
		// The old database's write-ahead log must not be read with the
		// restored file: nothing has it open (the lock), so it goes.
		for _, side := range []string{"-wal", "-shm"} {
			if err := os.Remove(p.dst + side); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
		}
		if err := backup.Copy(ctx, p.src, p.dst, true); err != nil {
			return err
		}
	}
	done.Journal = jpath
	if _, err := os.Stat(srcS); err == nil {
		done.Signatures = sigs
	}
	j, err := journal.Open(jpath)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	defer j.Close()
	if err := j.RequireKeyCheck(ctx); err != nil {
		return err
	}
	if o.JSON {
		return ui.NewJSON(o.IO.Out).Print("restored", done)
	}
	fmt.Fprintf(o.IO.ErrOut, "Restored %s from %s. Before a signer's first fax the hub asks the gateway whether it already has it: the backup may not know of faxes sent after it.\n", jpath, srcJ)
	return nil
}

// checkJournal opens the journal at path (a copy, so the backup itself is
// never migrated or touched) to check it.
func checkJournal(ctx context.Context, path string) error {
	tmp, err := os.MkdirTemp("", "faxjam-restore-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	cp := tmp + "/journal.db"
	if err := backup.Copy(ctx, path, cp, false); err != nil {
		return err
	}
	j, err := journal.Open(cp)
	if err != nil {
		return err
	}
	return j.Close()
}
