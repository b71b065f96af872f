#pragma once

#include "cli.h"

#include "domain/operator.h"

// txctl's commands: each takes its arguments from the session's Cli and returns the exit code.
namespace txctl {

int cmdPing(Session &s);
int cmdList(Session &s);
int cmdSubmit(Session &s);
int cmdGet(Session &s);
int cmdWatch(Session &s);
int cmdAudit(Session &s);
// cancel-branch, abort, mark-failed, pause, resume: GID [BRANCH] --reason R [--dry-run]
int cmdAction(Session &s, coord::domain::OperatorAction action);
int cmdRetry(Session &s);
int cmdResolve(Session &s);
// inspect-barrier --db DSN [--table T] [--participant HOST:PORT]: exit 1 when problems found
int cmdInspectBarrier(Session &s);
// prune-barrier --db DSN --older-than AGE [--table T] [--yes --reason R]: a dry run unless --yes
int cmdPruneBarrier(Session &s);
// explore FLOW [--invariant-db DSN --invariant-sql Q]... [--invariant-url URL]...
//   [--barrier-db DSN [--barrier-table T]]... [--parallel N] [--path-timeout S] [--report FILE]
//   [--plan]: exit 1 when a path is red, 2 when nothing could be explored
int cmdExplore(Session &s);

}  // namespace txctl
