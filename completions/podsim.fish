# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_podsim_global_optspecs
    string join \n h/help
end

function __fish_podsim_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_podsim_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_podsim_using_subcommand
    set -l cmd (__fish_podsim_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c podsim -n "__fish_podsim_needs_command" -s h -l help -d 'Print help'
complete -c podsim -n "__fish_podsim_needs_command" -f -a "run" -d 'Run one fault scenario: failover, container-restart, full-outage, full-outage-empty-volume, partition, slow-sync, rolling-restart, lagging-replica. Exit status 1 when a promise of the scenario does not hold'
complete -c podsim -n "__fish_podsim_needs_command" -f -a "failover" -d 'Measure the write outage of a hard loss and of a graceful stop of the master pod'
complete -c podsim -n "__fish_podsim_needs_command" -f -a "monitoring" -d 'Prove the chart\'s alerts and dashboard on a live group: a real Prometheus (Debian\'s prometheus) scrapes the exporters as the rendered ServiceMonitors say and evaluates the rendered PrometheusRule while a replica and the master are lost and memory fills. Exit status 1 when an expected alert does not fire in time, an unexpected one fires, or a dashboard panel has no data'
complete -c podsim -n "__fish_podsim_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c podsim -n "__fish_podsim_using_subcommand run" -s f -l values -d 'Values files, as for `helm template -f`' -r -F
complete -c podsim -n "__fish_podsim_using_subcommand run" -l server -d 'Server behind the image\'s binaries: redis7 (Debian 7.0.15), redis8 (8.2.3) or valkey9 (9.1.2; both from .tools/servers, see scripts/install-test-tools.sh)' -r
complete -c podsim -n "__fish_podsim_using_subcommand run" -l release -d 'Release name' -r
complete -c podsim -n "__fish_podsim_using_subcommand run" -l json -d 'Print one JSON object'
complete -c podsim -n "__fish_podsim_using_subcommand run" -l keep -d 'Keep the run directory (logs) under the temp dir'
complete -c podsim -n "__fish_podsim_using_subcommand run" -s h -l help -d 'Print help'
complete -c podsim -n "__fish_podsim_using_subcommand failover" -s f -l values -d 'Values files, as for `helm template -f`' -r -F
complete -c podsim -n "__fish_podsim_using_subcommand failover" -l server -d 'Server behind the image\'s binaries: redis7 (Debian 7.0.15), redis8 (8.2.3) or valkey9 (9.1.2; both from .tools/servers, see scripts/install-test-tools.sh)' -r
complete -c podsim -n "__fish_podsim_using_subcommand failover" -l release -d 'Release name' -r
complete -c podsim -n "__fish_podsim_using_subcommand failover" -l json -d 'Print one JSON object'
complete -c podsim -n "__fish_podsim_using_subcommand failover" -l keep -d 'Keep the run directory (logs) under the temp dir'
complete -c podsim -n "__fish_podsim_using_subcommand failover" -l hooks-before-sigterm -d 'Comparison only, not Kubernetes semantics: on the graceful stop run every preStop hook before any container of the pod gets SIGTERM'
complete -c podsim -n "__fish_podsim_using_subcommand failover" -s h -l help -d 'Print help'
complete -c podsim -n "__fish_podsim_using_subcommand monitoring" -s f -l values -d 'Values files, as for `helm template -f`' -r -F
complete -c podsim -n "__fish_podsim_using_subcommand monitoring" -l server -d 'Server behind the image\'s binaries: redis7 (Debian 7.0.15), redis8 (8.2.3) or valkey9 (9.1.2; both from .tools/servers, see scripts/install-test-tools.sh)' -r
complete -c podsim -n "__fish_podsim_using_subcommand monitoring" -l release -d 'Release name' -r
complete -c podsim -n "__fish_podsim_using_subcommand monitoring" -l png -d 'Plot every dashboard panel\'s series over the run to this PNG file' -r -F
complete -c podsim -n "__fish_podsim_using_subcommand monitoring" -l prometheus-namespace -d 'Kubernetes namespace of Prometheus\'s pod (the NetworkPolicies must admit it)' -r
complete -c podsim -n "__fish_podsim_using_subcommand monitoring" -l json -d 'Print one JSON object'
complete -c podsim -n "__fish_podsim_using_subcommand monitoring" -l keep -d 'Keep the run directory (logs) under the temp dir'
complete -c podsim -n "__fish_podsim_using_subcommand monitoring" -s h -l help -d 'Print help'
complete -c podsim -n "__fish_podsim_using_subcommand help; and not __fish_seen_subcommand_from run failover monitoring help" -f -a "run" -d 'Run one fault scenario: failover, container-restart, full-outage, full-outage-empty-volume, partition, slow-sync, rolling-restart, lagging-replica. Exit status 1 when a promise of the scenario does not hold'
complete -c podsim -n "__fish_podsim_using_subcommand help; and not __fish_seen_subcommand_from run failover monitoring help" -f -a "failover" -d 'Measure the write outage of a hard loss and of a graceful stop of the master pod'
complete -c podsim -n "__fish_podsim_using_subcommand help; and not __fish_seen_subcommand_from run failover monitoring help" -f -a "monitoring" -d 'Prove the chart\'s alerts and dashboard on a live group: a real Prometheus (Debian\'s prometheus) scrapes the exporters as the rendered ServiceMonitors say and evaluates the rendered PrometheusRule while a replica and the master are lost and memory fills. Exit status 1 when an expected alert does not fire in time, an unexpected one fires, or a dashboard panel has no data'
complete -c podsim -n "__fish_podsim_using_subcommand help; and not __fish_seen_subcommand_from run failover monitoring help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
