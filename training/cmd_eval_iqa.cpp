// PLACEHOLDER — replaced by the real subcommand.
#include "commands.h"
#include "common/error.h"
namespace rv::cli {
int cmd_eval_iqa(int, char**) { throw Error("not implemented yet"); }
}  // namespace rv::cli
