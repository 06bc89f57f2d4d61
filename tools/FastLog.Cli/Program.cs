using FastLog.Cli;

// fastlog: see CliApp. Ctrl-C or SIGTERM cancels the running command (a broker started with
// `fastlog broker start` then stops cleanly).
return await CliApp.RunAsync(args, CliIo.FromConsole(), handleTermination: true);
