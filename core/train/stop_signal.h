#pragma once
// Ctrl-C for training loops: the handler only sets a flag; the loop checks it
// between iterations, saves a checkpoint and returns, so an interrupted run
// always leaves a usable file. A second Ctrl-C restores the default action
// (kills the process) in case the loop is stuck.
namespace rv {

void install_stop_handler();  // SIGINT and SIGTERM
bool stop_requested();
void request_stop();          // for tests and for other ranks asking to stop
void clear_stop_request();

}  // namespace rv
