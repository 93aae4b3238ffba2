#pragma once
// Every subcommand: argv starts after the subcommand name. Returns the exit
// code; throws rv::Error / rv::InputError for one-line errors (main prints them).
namespace rv::cli {
int cmd_train_count(int argc, char** argv);
int cmd_adapt(int argc, char** argv);
int cmd_eval_count(int argc, char** argv);
int cmd_select(int argc, char** argv);
int cmd_active_sim(int argc, char** argv);
int cmd_train_iqa(int argc, char** argv);
int cmd_eval_iqa(int argc, char** argv);
int cmd_distort(int argc, char** argv);
int cmd_crops(int argc, char** argv);
int cmd_density(int argc, char** argv);
int cmd_heatmap(int argc, char** argv);
int cmd_motion_boxes(int argc, char** argv);
int cmd_info(int argc, char** argv);
int cmd_label(int argc, char** argv);
}  // namespace rv::cli
