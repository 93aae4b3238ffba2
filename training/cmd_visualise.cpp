// PLACEHOLDER — replaced by the real subcommands distort, crops, density.
#include "commands.h"
#include "common/error.h"
namespace rv::cli {
int cmd_distort(int, char**) { throw Error("not implemented yet"); }
int cmd_crops(int, char**) { throw Error("not implemented yet"); }
int cmd_density(int, char**) { throw Error("not implemented yet"); }
}  // namespace rv::cli
