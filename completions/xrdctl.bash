# bash completion for xrdctl (generated from oclif.manifest.json; do not edit)
# source it, or copy it to /etc/bash_completion.d/xrdctl
_xrdctl() {
  local cur prev path i w opts
  cur="${COMP_WORDS[COMP_CWORD]}"
  prev="${COMP_WORDS[COMP_CWORD-1]}"
  path=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="${COMP_WORDS[i]}"
    [[ "$w" == -* ]] && break
    path="${path:+$path:}$w"
  done
  case "$path $prev" in
    'cert:list --usage') COMPREPLY=( $(compgen -W 'auth sign' -- "$cur") ); return ;;
    'client:add --connection-type') COMPREPLY=( $(compgen -W 'HTTP HTTPS HTTPS_NO_AUTH' -- "$cur") ); return ;;
    'context:add --kind') COMPREPLY=( $(compgen -W 'central security' -- "$cur") ); return ;;
    'cs:request:list --status') COMPREPLY=( $(compgen -W 'WAITING APPROVED DECLINED REVOKED SUBMITTED FOR APPROVAL' -- "$cur") ); return ;;
    'cs:request:list --type') COMPREPLY=( $(compgen -W 'AUTH_CERT_REGISTRATION_REQUEST CLIENT_REGISTRATION_REQUEST OWNER_CHANGE_REQUEST CLIENT_DELETION_REQUEST CLIENT_DISABLE_REQUEST CLIENT_ENABLE_REQUEST CLIENT_RENAME_REQUEST AUTH_CERT_DELETION_REQUEST ADDRESS_CHANGE_REQUEST MAINTENANCE_MODE_ENABLE_REQUEST MAINTENANCE_MODE_DISABLE_REQUEST' -- "$cur") ); return ;;
    'csr:create --format') COMPREPLY=( $(compgen -W 'PEM DER' -- "$cur") ); return ;;
    'csr:create --usage') COMPREPLY=( $(compgen -W 'auth sign' -- "$cur") ); return ;;
    'csr:download --format') COMPREPLY=( $(compgen -W 'PEM DER' -- "$cur") ); return ;;
    'csr:submit --adapter') COMPREPLY=( $(compgen -W 'server-acme command manual' -- "$cur") ); return ;;
    'csr:submit --format') COMPREPLY=( $(compgen -W 'PEM DER' -- "$cur") ); return ;;
    'endpoint:add --method') COMPREPLY=( $(compgen -W '* GET POST PUT DELETE PATCH HEAD OPTIONS TRACE' -- "$cur") ); return ;;
    'endpoint:delete --method') COMPREPLY=( $(compgen -W '* GET POST PUT DELETE PATCH HEAD OPTIONS TRACE' -- "$cur") ); return ;;
    'sandbox:ca:sign --usage') COMPREPLY=( $(compgen -W 'auth sign' -- "$cur") ); return ;;
    'sandbox:start --preset') COMPREPLY=( $(compgen -W 'empty initialized' -- "$cur") ); return ;;
    'service:add-description --type') COMPREPLY=( $(compgen -W 'WSDL OPENAPI3 REST' -- "$cur") ); return ;;
  esac
  case "$path" in
    '') opts='access apply cert client completion context cs csr endpoint group key plan sandbox server service token validate' ;;
    'access') opts='grant list revoke' ;;
    'access:grant') opts='--client --code --context --json --no-color --subject --verbose --yes' ;;
    'access:list') opts='--client --context --json --no-color --verbose --yes' ;;
    'access:revoke') opts='--client --code --context --json --no-color --subject --verbose --yes' ;;
    'apply') opts='--check --concurrency --context --json --no-color --timeout --verbose --yes' ;;
    'cert') opts='activate delete disable expiry import list register show unregister' ;;
    'cert:activate') opts='--context --json --no-color --verbose --yes' ;;
    'cert:delete') opts='--context --force --json --no-color --verbose --yes' ;;
    'cert:disable') opts='--context --force --json --no-color --verbose --yes' ;;
    'cert:expiry') opts='--all-contexts --context --critical-days --json --no-color --verbose --warn-days --yes' ;;
    'cert:import') opts='--context --json --no-color --verbose --yes' ;;
    'cert:list') opts='--context --json --no-color --usage --verbose --yes' ;;
    'cert:register') opts='--activate --address --approve --context --cs-context --json --no-color --timeout --verbose --wait --yes' ;;
    'cert:show') opts='--context --json --no-color --verbose --yes' ;;
    'cert:unregister') opts='--context --force --json --no-color --verbose --yes' ;;
    'client') opts='add delete list register unregister' ;;
    'client:add') opts='--connection-type --context --json --name --no-color --verbose --yes' ;;
    'client:delete') opts='--context --json --no-color --verbose --yes' ;;
    'client:list') opts='--context --json --no-color --verbose --yes' ;;
    'client:register') opts='--approve --context --cs-context --json --no-color --timeout --verbose --yes' ;;
    'client:unregister') opts='--context --json --no-color --verbose --yes' ;;
    'completion') opts='--context --json --no-color --verbose --yes' ;;
    'context') opts='add list remove show use' ;;
    'context:add') opts='--api-key --ca-file --central-context --context --json --kind --no-color --overwrite --tls-fingerprint --token-pin --url --use --verbose --yes' ;;
    'context:list') opts='--context --json --no-color --verbose --yes' ;;
    'context:remove') opts='--context --json --no-color --verbose --yes' ;;
    'context:show') opts='--context --json --no-color --verbose --yes' ;;
    'context:use') opts='--context --json --no-color --verbose --yes' ;;
    'cs') opts='member request subsystem' ;;
    'cs:member') opts='add list' ;;
    'cs:member:add') opts='--context --json --name --no-color --verbose --yes' ;;
    'cs:member:list') opts='--context --json --no-color --verbose --yes' ;;
    'cs:request') opts='approve decline list show' ;;
    'cs:request:approve') opts='--context --json --no-color --verbose --yes' ;;
    'cs:request:decline') opts='--context --json --no-color --verbose --yes' ;;
    'cs:request:list') opts='--context --json --max --no-color --server --status --type --verbose --yes' ;;
    'cs:request:show') opts='--context --json --no-color --verbose --yes' ;;
    'cs:subsystem') opts='add list' ;;
    'cs:subsystem:add') opts='--context --json --name --no-color --verbose --yes' ;;
    'cs:subsystem:list') opts='--context --json --no-color --verbose --yes' ;;
    'csr') opts='create delete download list submit' ;;
    'csr:create') opts='--address --ca --context --format --json --key --label --member --no-color --out --subject --token --usage --verbose --yes' ;;
    'csr:delete') opts='--context --json --no-color --verbose --yes' ;;
    'csr:download') opts='--context --format --json --no-color --out --verbose --yes' ;;
    'csr:list') opts='--context --json --no-color --verbose --yes' ;;
    'csr:submit') opts='--adapter --ca --command --context --csr --format --import --json --key --no-color --out --timeout --verbose --yes' ;;
    'endpoint') opts='add delete list' ;;
    'endpoint:add') opts='--client --code --context --json --method --no-color --path --verbose --yes' ;;
    'endpoint:delete') opts='--client --code --context --json --method --no-color --path --verbose --yes' ;;
    'endpoint:list') opts='--client --code --context --json --no-color --verbose --yes' ;;
    'group') opts='add add-members list remove-members' ;;
    'group:add') opts='--client --code --context --description --json --member --no-color --verbose --yes' ;;
    'group:add-members') opts='--client --code --context --json --member --no-color --verbose --yes' ;;
    'group:list') opts='--client --context --json --no-color --verbose --yes' ;;
    'group:remove-members') opts='--client --code --context --json --member --no-color --verbose --yes' ;;
    'key') opts='create delete list' ;;
    'key:create') opts='--context --json --label --no-color --token --verbose --yes' ;;
    'key:delete') opts='--context --force --json --no-color --verbose --yes' ;;
    'key:list') opts='--context --json --no-color --verbose --yes' ;;
    'plan') opts='--concurrency --context --detailed-exitcode --json --no-color --out --verbose --yes' ;;
    'sandbox') opts='ca clock env fault reset start status stop' ;;
    'sandbox:ca') opts='revoke sign' ;;
    'sandbox:ca:revoke') opts='--context --dir --json --no-color --verbose --yes' ;;
    'sandbox:ca:sign') opts='--ca --context --dir --json --no-color --out --usage --validity-days --verbose --yes' ;;
    'sandbox:clock') opts='--advance --context --dir --json --no-color --set --verbose --yes' ;;
    'sandbox:env') opts='--context --dir --json --no-color --verbose --yes' ;;
    'sandbox:fault') opts='add clear list' ;;
    'sandbox:fault:add') opts='--code --context --dir --hang --json --latency --no-color --operation --probability --reset --seed --server --status --times --verbose --yes' ;;
    'sandbox:fault:clear') opts='--context --dir --json --no-color --server --verbose --yes' ;;
    'sandbox:fault:list') opts='--context --dir --json --no-color --verbose --yes' ;;
    'sandbox:reset') opts='--context --dir --json --no-color --verbose --yes' ;;
    'sandbox:start') opts='--cert-validity-days --context --detach --dir --gc-interval --json --no-color --no-rate-limit --preset --security-servers --show-keys --verbose --write-contexts --yes' ;;
    'sandbox:status') opts='--context --dir --json --no-color --verbose --yes' ;;
    'sandbox:stop') opts='--context --dir --json --no-color --verbose --yes' ;;
    'server') opts='info' ;;
    'server:info') opts='--context --json --no-color --verbose --yes' ;;
    'service') opts='add-description disable enable list refresh set' ;;
    'service:add-description') opts='--client --context --disabled --json --no-color --rest-code --type --url --verbose --yes' ;;
    'service:disable') opts='--client --context --json --no-color --url --verbose --yes' ;;
    'service:enable') opts='--client --context --json --no-color --url --verbose --yes' ;;
    'service:list') opts='--client --context --json --no-color --verbose --yes' ;;
    'service:refresh') opts='--client --context --ignore-warnings --json --no-color --url --verbose --yes' ;;
    'service:set') opts='--client --code --context --json --no-color --ssl-auth --timeout --url --verbose --yes' ;;
    'token') opts='list login logout' ;;
    'token:list') opts='--context --json --no-color --verbose --yes' ;;
    'token:login') opts='--context --json --no-color --pin --token --verbose --yes' ;;
    'token:logout') opts='--context --json --no-color --token --verbose --yes' ;;
    'validate') opts='--context --json --no-color --verbose --yes' ;;
    *) opts="" ;;
  esac
  COMPREPLY=( $(compgen -W "$opts" -- "$cur") )
}
complete -F _xrdctl xrdctl
