// Composition root: everything lives in the libraries; the executable only dispatches.
#include "cli/cli.h"

int main(int argc, char** argv) { return postern::cli::run(argc, argv); }
