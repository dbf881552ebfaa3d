# bash completion for xrdctl (generated from oclif.manifest.json by npm run completions; do not edit)
# source it, or copy it to /etc/bash_completion.d/xrdctl (or ~/.local/share/bash-completion/completions/xrdctl)

# _xrdctl_node PATH: sets subs, flags, vflags (flags taking a value) and nargs; fails for an unknown path
_xrdctl_node() {
  case "$1" in
    '') subs='access apply cert client completion context cs csr endpoint group health help key plan rotate sandbox server service tls token validate'; flags='--help --version'; vflags=''; nargs=0 ;;
    'access') subs='grant list revoke'; flags=''; vflags=''; nargs=0 ;;
    'access:grant') subs=''; flags='--client --code --context --json --no-color --quiet --subject --verbose --yes --help'; vflags=' --client --code --context -c --subject '; nargs=0 ;;
    'access:list') subs=''; flags='--client --context --json --no-color --quiet --verbose --yes --help'; vflags=' --client --context -c '; nargs=0 ;;
    'access:revoke') subs=''; flags='--client --code --context --json --no-color --quiet --subject --verbose --yes --help'; vflags=' --client --code --context -c --subject '; nargs=0 ;;
    'apply') subs=''; flags='--check --concurrency --context --json --no-color --quiet --timeout --verbose --yes --help'; vflags=' --concurrency --context -c --timeout '; nargs=1 ;;
    'cert') subs='activate delete disable expiry import list register show unregister'; flags=''; vflags=''; nargs=0 ;;
    'cert:activate') subs=''; flags='--context --json --no-color --quiet --verbose --yes --help'; vflags=' --context -c '; nargs=1 ;;
    'cert:delete') subs=''; flags='--context --force --json --no-color --quiet --verbose --yes --help'; vflags=' --context -c '; nargs=1 ;;
    'cert:disable') subs=''; flags='--context --force --json --no-color --quiet --verbose --yes --help'; vflags=' --context -c '; nargs=1 ;;
    'cert:expiry') subs=''; flags='--all-contexts --context --critical-days --json --manifest --no-color --quiet --server --threshold --timeout --verbose --warn-days --yes --help'; vflags=' --context -c --critical-days --manifest -f --server --threshold --timeout --warn-days '; nargs=0 ;;
    'cert:import') subs=''; flags='--context --json --no-color --quiet --verbose --yes --help'; vflags=' --context -c '; nargs=1 ;;
    'cert:list') subs=''; flags='--context --json --no-color --quiet --usage --verbose --yes --help'; vflags=' --context -c --usage '; nargs=0 ;;
    'cert:register') subs=''; flags='--activate --address --approve --context --cs-context --json --no-color --quiet --timeout --verbose --wait --yes --help'; vflags=' --address --context -c --cs-context --timeout '; nargs=1 ;;
    'cert:show') subs=''; flags='--context --json --no-color --quiet --verbose --yes --help'; vflags=' --context -c '; nargs=1 ;;
    'cert:unregister') subs=''; flags='--context --force --json --no-color --quiet --verbose --yes --help'; vflags=' --context -c '; nargs=1 ;;
    'client') subs='add delete list register tls unregister'; flags=''; vflags=''; nargs=0 ;;
    'client:add') subs=''; flags='--connection-type --context --json --name --no-color --quiet --verbose --yes --help'; vflags=' --connection-type --context -c --name '; nargs=1 ;;
    'client:delete') subs=''; flags='--context --json --no-color --quiet --verbose --yes --help'; vflags=' --context -c '; nargs=1 ;;
    'client:list') subs=''; flags='--context --json --no-color --quiet --verbose --yes --help'; vflags=' --context -c '; nargs=0 ;;
    'client:register') subs=''; flags='--approve --context --cs-context --json --no-color --quiet --timeout --verbose --yes --help'; vflags=' --context -c --cs-context --timeout '; nargs=1 ;;
    'client:tls') subs='add list'; flags=''; vflags=''; nargs=0 ;;
    'client:tls:add') subs=''; flags='--client --context --json --no-color --quiet --verbose --yes --help'; vflags=' --client --context -c '; nargs=1 ;;
    'client:tls:list') subs=''; flags='--client --context --json --no-color --quiet --verbose --yes --help'; vflags=' --client --context -c '; nargs=0 ;;
    'client:unregister') subs=''; flags='--context --json --no-color --quiet --verbose --yes --help'; vflags=' --context -c '; nargs=1 ;;
    'completion') subs=''; flags='--context --json --no-color --quiet --verbose --yes --help'; vflags=' --context -c '; nargs=1 ;;
    'context') subs='add list remove show use'; flags=''; vflags=''; nargs=0 ;;
    'context:add') subs=''; flags='--api-key --ca-file --central-context --context --json --kind --no-color --overwrite --quiet --tls-fingerprint --token-pin --url --use --verbose --yes --help'; vflags=' --api-key --ca-file --central-context --context -c --kind --tls-fingerprint --token-pin --url '; nargs=1 ;;
    'context:list') subs=''; flags='--context --json --no-color --quiet --verbose --yes --help'; vflags=' --context -c '; nargs=0 ;;
    'context:remove') subs=''; flags='--context --json --no-color --quiet --verbose --yes --help'; vflags=' --context -c '; nargs=1 ;;
    'context:show') subs=''; flags='--context --json --no-color --quiet --verbose --yes --help'; vflags=' --context -c '; nargs=1 ;;
    'context:use') subs=''; flags='--context --json --no-color --quiet --verbose --yes --help'; vflags=' --context -c '; nargs=1 ;;
    'cs') subs='key member request subsystem'; flags=''; vflags=''; nargs=0 ;;
    'cs:key') subs='list'; flags=''; vflags=''; nargs=0 ;;
    'cs:key:list') subs=''; flags='--context --json --no-color --quiet --verbose --yes --help'; vflags=' --context -c '; nargs=0 ;;
    'cs:member') subs='add list'; flags=''; vflags=''; nargs=0 ;;
    'cs:member:add') subs=''; flags='--context --json --name --no-color --quiet --verbose --yes --help'; vflags=' --context -c --name '; nargs=1 ;;
    'cs:member:list') subs=''; flags='--context --json --no-color --quiet --verbose --yes --help'; vflags=' --context -c '; nargs=0 ;;
    'cs:request') subs='approve decline list show'; flags=''; vflags=''; nargs=0 ;;
    'cs:request:approve') subs=''; flags='--context --json --no-color --quiet --verbose --yes --help'; vflags=' --context -c '; nargs=1 ;;
    'cs:request:decline') subs=''; flags='--context --json --no-color --quiet --verbose --yes --help'; vflags=' --context -c '; nargs=1 ;;
    'cs:request:list') subs=''; flags='--context --json --max --no-color --quiet --server --status --type --verbose --yes --help'; vflags=' --context -c --max --server --status --type '; nargs=0 ;;
    'cs:request:show') subs=''; flags='--context --json --no-color --quiet --verbose --yes --help'; vflags=' --context -c '; nargs=1 ;;
    'cs:subsystem') subs='add list'; flags=''; vflags=''; nargs=0 ;;
    'cs:subsystem:add') subs=''; flags='--context --json --name --no-color --quiet --verbose --yes --help'; vflags=' --context -c --name '; nargs=1 ;;
    'cs:subsystem:list') subs=''; flags='--context --json --no-color --quiet --verbose --yes --help'; vflags=' --context -c '; nargs=0 ;;
    'csr') subs='create delete download list submit'; flags=''; vflags=''; nargs=0 ;;
    'csr:create') subs=''; flags='--address --ca --context --format --json --key --label --member --no-color --out --quiet --subject --token --usage --verbose --yes --help'; vflags=' --address --ca --context -c --format --key --label --member --out -o --subject --token --usage '; nargs=0 ;;
    'csr:delete') subs=''; flags='--context --json --no-color --quiet --verbose --yes --help'; vflags=' --context -c '; nargs=2 ;;
    'csr:download') subs=''; flags='--context --format --json --no-color --out --quiet --verbose --yes --help'; vflags=' --context -c --format --out -o '; nargs=2 ;;
    'csr:list') subs=''; flags='--context --json --no-color --quiet --verbose --yes --help'; vflags=' --context -c '; nargs=0 ;;
    'csr:submit') subs=''; flags='--acme-account-key --acme-ca-file --acme-directory --acme-eab-hmac --acme-eab-kid --acme-email --acme-http-port --activate --adapter --ca --command --command-env --context --csr --format --import --json --key --no-color --out --quiet --timeout --verbose --yes --help'; vflags=' --acme-account-key --acme-ca-file --acme-directory --acme-eab-hmac --acme-eab-kid --acme-email --acme-http-port --adapter --ca --command --command-env --context -c --csr --format --key --out -o --timeout '; nargs=0 ;;
    'endpoint') subs='add delete list'; flags=''; vflags=''; nargs=0 ;;
    'endpoint:add') subs=''; flags='--client --code --context --json --method --no-color --path --quiet --verbose --yes --help'; vflags=' --client --code --context -c --method --path '; nargs=0 ;;
    'endpoint:delete') subs=''; flags='--client --code --context --json --method --no-color --path --quiet --verbose --yes --help'; vflags=' --client --code --context -c --method --path '; nargs=0 ;;
    'endpoint:list') subs=''; flags='--client --code --context --json --no-color --quiet --verbose --yes --help'; vflags=' --client --code --context -c '; nargs=0 ;;
    'group') subs='add add-members list remove-members'; flags=''; vflags=''; nargs=0 ;;
    'group:add') subs=''; flags='--client --code --context --description --json --member --no-color --quiet --verbose --yes --help'; vflags=' --client --code --context -c --description --member '; nargs=0 ;;
    'group:add-members') subs=''; flags='--client --code --context --json --member --no-color --quiet --verbose --yes --help'; vflags=' --client --code --context -c --member '; nargs=0 ;;
    'group:list') subs=''; flags='--client --context --json --no-color --quiet --verbose --yes --help'; vflags=' --client --context -c '; nargs=0 ;;
    'group:remove-members') subs=''; flags='--client --code --context --json --member --no-color --quiet --verbose --yes --help'; vflags=' --client --code --context -c --member '; nargs=0 ;;
    'health') subs=''; flags='--all-contexts --context --count --crit-days --format --json --manifest --no-color --only --quiet --request-age --server --threshold --timeout --verbose --warn-days --watch --yes --help'; vflags=' --context -c --count --crit-days --format --manifest -f --only --request-age --server --threshold --timeout --warn-days --watch '; nargs=0 ;;
    'help') subs=''; flags='--nested-commands --help'; vflags=''; nargs=1 ;;
    'key') subs='create delete list'; flags=''; vflags=''; nargs=0 ;;
    'key:create') subs=''; flags='--context --json --label --no-color --quiet --token --verbose --yes --help'; vflags=' --context -c --label --token '; nargs=0 ;;
    'key:delete') subs=''; flags='--context --force --json --no-color --quiet --verbose --yes --help'; vflags=' --context -c '; nargs=1 ;;
    'key:list') subs=''; flags='--context --json --no-color --quiet --verbose --yes --help'; vflags=' --context -c '; nargs=0 ;;
    'plan') subs=''; flags='--concurrency --context --detailed-exitcode --json --no-color --out --quiet --verbose --yes --help'; vflags=' --concurrency --context -c --out '; nargs=1 ;;
    'rotate') subs='abort auth config-signing resume sign status'; flags=''; vflags=''; nargs=0 ;;
    'rotate:abort') subs=''; flags='--context --json --no-color --quiet --verbose --yes --help'; vflags=' --context -c '; nargs=1 ;;
    'rotate:auth') subs=''; flags='--acme-account-key --acme-ca-file --acme-directory --acme-eab-hmac --acme-eab-kid --acme-email --acme-http-port --adapter --address --all --ca --ca-timeout --cert --command --concurrency --context --cs-context --cut-now --emergency --i-understand-downtime --json --keep-old --manifest --member --no-color --out --propagation --quiet --revoke-command --server --subject --timeout --verbose --yes --help'; vflags=' --acme-account-key --acme-ca-file --acme-directory --acme-eab-hmac --acme-eab-kid --acme-email --acme-http-port --adapter --address --ca --ca-timeout --cert --command --concurrency --context -c --cs-context --keep-old --manifest -f --member --out --propagation --revoke-command --server --subject --timeout '; nargs=0 ;;
    'rotate:config-signing') subs=''; flags='--concurrency --context --emergency --json --keep-old --manifest --no-color --poll --quiet --source --timeout --verbose --yes --help'; vflags=' --concurrency --context -c --keep-old --manifest -f --poll --source --timeout '; nargs=0 ;;
    'rotate:resume') subs=''; flags='--context --i-understand-downtime --json --no-color --quiet --verbose --yes --help'; vflags=' --context -c '; nargs=1 ;;
    'rotate:sign') subs=''; flags='--acme-account-key --acme-ca-file --acme-directory --acme-eab-hmac --acme-eab-kid --acme-email --acme-http-port --adapter --address --all --ca --ca-timeout --cert --command --concurrency --context --cs-context --cut-now --emergency --i-understand-downtime --json --keep-old --manifest --member --no-color --out --propagation --quiet --revoke-command --server --subject --timeout --verbose --yes --help'; vflags=' --acme-account-key --acme-ca-file --acme-directory --acme-eab-hmac --acme-eab-kid --acme-email --acme-http-port --adapter --address --ca --ca-timeout --cert --command --concurrency --context -c --cs-context --keep-old --manifest -f --member --out --propagation --revoke-command --server --subject --timeout '; nargs=0 ;;
    'rotate:status') subs=''; flags='--context --json --no-color --quiet --verbose --yes --help'; vflags=' --context -c '; nargs=1 ;;
    'sandbox') subs='ca clock env fault reset start status stop'; flags=''; vflags=''; nargs=0 ;;
    'sandbox:ca') subs='revoke sign'; flags=''; vflags=''; nargs=0 ;;
    'sandbox:ca:revoke') subs=''; flags='--context --dir --json --no-color --quiet --verbose --yes --help'; vflags=' --context -c --dir '; nargs=1 ;;
    'sandbox:ca:sign') subs=''; flags='--ca --context --dir --json --no-color --out --quiet --usage --validity-days --verbose --yes --help'; vflags=' --ca --context -c --dir --out -o --usage --validity-days '; nargs=1 ;;
    'sandbox:clock') subs=''; flags='--advance --context --dir --json --no-color --quiet --set --verbose --yes --help'; vflags=' --advance --context -c --dir --set '; nargs=0 ;;
    'sandbox:env') subs=''; flags='--context --dir --json --no-color --quiet --verbose --yes --help'; vflags=' --context -c --dir '; nargs=0 ;;
    'sandbox:fault') subs='add clear list'; flags=''; vflags=''; nargs=0 ;;
    'sandbox:fault:add') subs=''; flags='--code --context --corrupt --dir --hang --json --latency --no-color --operation --probability --quiet --reset --seed --server --status --times --verbose --yes --help'; vflags=' --code --context -c --corrupt --dir --latency --operation --probability --seed --server --status --times '; nargs=0 ;;
    'sandbox:fault:clear') subs=''; flags='--context --dir --json --no-color --quiet --server --verbose --yes --help'; vflags=' --context -c --dir --server '; nargs=0 ;;
    'sandbox:fault:list') subs=''; flags='--context --dir --json --no-color --quiet --verbose --yes --help'; vflags=' --context -c --dir '; nargs=0 ;;
    'sandbox:reset') subs=''; flags='--context --dir --json --no-color --quiet --verbose --yes --help'; vflags=' --context -c --dir '; nargs=0 ;;
    'sandbox:start') subs=''; flags='--cert-validity-days --context --detach --dir --gc-interval --json --no-color --no-rate-limit --preset --quiet --security-servers --show-keys --spare-keys --strict-spec --verbose --write-contexts --yes --help'; vflags=' --cert-validity-days --context -c --dir --gc-interval --preset --security-servers --spare-keys '; nargs=0 ;;
    'sandbox:status') subs=''; flags='--context --dir --json --no-color --quiet --verbose --yes --help'; vflags=' --context -c --dir '; nargs=0 ;;
    'sandbox:stop') subs=''; flags='--context --dir --json --no-color --quiet --verbose --yes --help'; vflags=' --context -c --dir '; nargs=0 ;;
    'server') subs='info'; flags=''; vflags=''; nargs=0 ;;
    'server:info') subs=''; flags='--context --json --no-color --quiet --verbose --yes --help'; vflags=' --context -c '; nargs=0 ;;
    'service') subs='add-description disable enable list refresh set'; flags=''; vflags=''; nargs=0 ;;
    'service:add-description') subs=''; flags='--client --context --disabled --json --no-color --quiet --rest-code --type --url --verbose --yes --help'; vflags=' --client --context -c --rest-code --type --url '; nargs=0 ;;
    'service:disable') subs=''; flags='--client --context --json --no-color --quiet --url --verbose --yes --help'; vflags=' --client --context -c --url '; nargs=0 ;;
    'service:enable') subs=''; flags='--client --context --json --no-color --quiet --url --verbose --yes --help'; vflags=' --client --context -c --url '; nargs=0 ;;
    'service:list') subs=''; flags='--client --context --json --no-color --quiet --verbose --yes --help'; vflags=' --client --context -c '; nargs=0 ;;
    'service:refresh') subs=''; flags='--client --context --ignore-warnings --json --no-color --quiet --url --verbose --yes --help'; vflags=' --client --context -c --url '; nargs=0 ;;
    'service:set') subs=''; flags='--client --code --context --json --no-color --quiet --ssl-auth --no-ssl-auth --timeout --url --verbose --yes --help'; vflags=' --client --code --context -c --timeout --url '; nargs=0 ;;
    'tls') subs='csr keygen'; flags=''; vflags=''; nargs=0 ;;
    'tls:csr') subs=''; flags='--context --json --key --no-color --out --quiet --san --subject --verbose --yes --help'; vflags=' --context -c --key --out -o --san --subject '; nargs=0 ;;
    'tls:keygen') subs=''; flags='--bits --context --force --json --no-color --out --quiet --verbose --yes --help'; vflags=' --bits --context -c --out -o '; nargs=0 ;;
    'token') subs='list login logout'; flags=''; vflags=''; nargs=0 ;;
    'token:list') subs=''; flags='--context --json --no-color --quiet --verbose --yes --help'; vflags=' --context -c '; nargs=0 ;;
    'token:login') subs=''; flags='--context --json --no-color --pin --quiet --token --verbose --yes --help'; vflags=' --context -c --pin --token '; nargs=0 ;;
    'token:logout') subs=''; flags='--context --json --no-color --quiet --token --verbose --yes --help'; vflags=' --context -c --token '; nargs=0 ;;
    'validate') subs=''; flags='--context --json --no-color --offline --no-offline --quiet --verbose --yes --help'; vflags=' --context -c '; nargs=1 ;;
    *) return 1 ;;
  esac
}

# _xrdctl_values NODE KEY (a flag, or #N for the Nth argument): fixed values (one a line), values asked of
# `xrdctl __complete KIND` (contexts, manifest servers, certificate hashes, key ids), or files
_xrdctl_values() {
  local words="" dyn="" IFS=$'\n' c="${cur//\\/}"
  c="${c#\"}"; c="${c#\'}"
  case "$1 $2" in
    'access:grant --context'|'access:grant -c') dyn=contexts ;;
    'access:list --context'|'access:list -c') dyn=contexts ;;
    'access:revoke --context'|'access:revoke -c') dyn=contexts ;;
    'apply --context'|'apply -c') dyn=contexts ;;
    'cert:activate --context'|'cert:activate -c') dyn=contexts ;;
    'cert:activate #0') dyn=certs ;;
    'cert:delete --context'|'cert:delete -c') dyn=contexts ;;
    'cert:delete #0') dyn=certs ;;
    'cert:disable --context'|'cert:disable -c') dyn=contexts ;;
    'cert:disable #0') dyn=certs ;;
    'cert:expiry --context'|'cert:expiry -c') dyn=contexts ;;
    'cert:expiry --server') dyn=servers ;;
    'cert:import --context'|'cert:import -c') dyn=contexts ;;
    'cert:list --usage') words=$'auth\nsign' ;;
    'cert:list --context'|'cert:list -c') dyn=contexts ;;
    'cert:register --context'|'cert:register -c') dyn=contexts ;;
    'cert:register --cs-context') dyn=contexts ;;
    'cert:register #0') dyn=certs ;;
    'cert:show --context'|'cert:show -c') dyn=contexts ;;
    'cert:show #0') dyn=certs ;;
    'cert:unregister --context'|'cert:unregister -c') dyn=contexts ;;
    'cert:unregister #0') dyn=certs ;;
    'client:add --connection-type') words=$'HTTP\nHTTPS\nHTTPS_NO_AUTH' ;;
    'client:add --context'|'client:add -c') dyn=contexts ;;
    'client:delete --context'|'client:delete -c') dyn=contexts ;;
    'client:list --context'|'client:list -c') dyn=contexts ;;
    'client:register --context'|'client:register -c') dyn=contexts ;;
    'client:register --cs-context') dyn=contexts ;;
    'client:tls:add --context'|'client:tls:add -c') dyn=contexts ;;
    'client:tls:list --context'|'client:tls:list -c') dyn=contexts ;;
    'client:unregister --context'|'client:unregister -c') dyn=contexts ;;
    'completion --context'|'completion -c') dyn=contexts ;;
    'completion #0') words=$'bash\nzsh\nfish' ;;
    'context:add --kind') words=$'central\nsecurity' ;;
    'context:add --central-context') dyn=contexts ;;
    'context:add --context'|'context:add -c') dyn=contexts ;;
    'context:list --context'|'context:list -c') dyn=contexts ;;
    'context:remove --context'|'context:remove -c') dyn=contexts ;;
    'context:remove #0') dyn=contexts ;;
    'context:show --context'|'context:show -c') dyn=contexts ;;
    'context:show #0') dyn=contexts ;;
    'context:use --context'|'context:use -c') dyn=contexts ;;
    'context:use #0') dyn=contexts ;;
    'cs:key:list --context'|'cs:key:list -c') dyn=contexts ;;
    'cs:member:add --context'|'cs:member:add -c') dyn=contexts ;;
    'cs:member:list --context'|'cs:member:list -c') dyn=contexts ;;
    'cs:request:approve --context'|'cs:request:approve -c') dyn=contexts ;;
    'cs:request:decline --context'|'cs:request:decline -c') dyn=contexts ;;
    'cs:request:list --status') words=$'WAITING\nAPPROVED\nDECLINED\nREVOKED\nSUBMITTED FOR APPROVAL' ;;
    'cs:request:list --type') words=$'AUTH_CERT_REGISTRATION_REQUEST\nCLIENT_REGISTRATION_REQUEST\nOWNER_CHANGE_REQUEST\nCLIENT_DELETION_REQUEST\nCLIENT_DISABLE_REQUEST\nCLIENT_ENABLE_REQUEST\nCLIENT_RENAME_REQUEST\nAUTH_CERT_DELETION_REQUEST\nADDRESS_CHANGE_REQUEST\nMAINTENANCE_MODE_ENABLE_REQUEST\nMAINTENANCE_MODE_DISABLE_REQUEST' ;;
    'cs:request:list --context'|'cs:request:list -c') dyn=contexts ;;
    'cs:request:show --context'|'cs:request:show -c') dyn=contexts ;;
    'cs:subsystem:add --context'|'cs:subsystem:add -c') dyn=contexts ;;
    'cs:subsystem:list --context'|'cs:subsystem:list -c') dyn=contexts ;;
    'csr:create --format') words=$'PEM\nDER' ;;
    'csr:create --usage') words=$'auth\nsign' ;;
    'csr:create --context'|'csr:create -c') dyn=contexts ;;
    'csr:create --key') dyn=keys ;;
    'csr:delete --context'|'csr:delete -c') dyn=contexts ;;
    'csr:delete #0') dyn=keys ;;
    'csr:download --format') words=$'PEM\nDER' ;;
    'csr:download --context'|'csr:download -c') dyn=contexts ;;
    'csr:download #0') dyn=keys ;;
    'csr:list --context'|'csr:list -c') dyn=contexts ;;
    'csr:submit --adapter') words=$'server-acme\nacme\ncommand\nmanual' ;;
    'csr:submit --format') words=$'PEM\nDER' ;;
    'csr:submit --context'|'csr:submit -c') dyn=contexts ;;
    'csr:submit --key') dyn=keys ;;
    'endpoint:add --method') words=$'*\nGET\nPOST\nPUT\nDELETE\nPATCH\nHEAD\nOPTIONS\nTRACE' ;;
    'endpoint:add --context'|'endpoint:add -c') dyn=contexts ;;
    'endpoint:delete --method') words=$'*\nGET\nPOST\nPUT\nDELETE\nPATCH\nHEAD\nOPTIONS\nTRACE' ;;
    'endpoint:delete --context'|'endpoint:delete -c') dyn=contexts ;;
    'endpoint:list --context'|'endpoint:list -c') dyn=contexts ;;
    'group:add --context'|'group:add -c') dyn=contexts ;;
    'group:add-members --context'|'group:add-members -c') dyn=contexts ;;
    'group:list --context'|'group:list -c') dyn=contexts ;;
    'group:remove-members --context'|'group:remove-members -c') dyn=contexts ;;
    'health --format') words=$'human\nnagios\nprometheus' ;;
    'health --only') words=$'connection\nsystem\ntoken\ncertificates\nglobalconf\nocsp\ntimestamping\nregistration\nclients\nmemory\ncentral' ;;
    'health --context'|'health -c') dyn=contexts ;;
    'health --server') dyn=servers ;;
    'key:create --context'|'key:create -c') dyn=contexts ;;
    'key:delete --context'|'key:delete -c') dyn=contexts ;;
    'key:delete #0') dyn=keys ;;
    'key:list --context'|'key:list -c') dyn=contexts ;;
    'plan --context'|'plan -c') dyn=contexts ;;
    'rotate:abort --context'|'rotate:abort -c') dyn=contexts ;;
    'rotate:auth --adapter') words=$'server-acme\nacme\ncommand\nmanual' ;;
    'rotate:auth --cert') dyn=certs ;;
    'rotate:auth --context'|'rotate:auth -c') dyn=contexts ;;
    'rotate:auth --cs-context') dyn=contexts ;;
    'rotate:auth --server') dyn=servers ;;
    'rotate:config-signing --source') words=$'internal\nexternal' ;;
    'rotate:config-signing --context'|'rotate:config-signing -c') dyn=contexts ;;
    'rotate:resume --context'|'rotate:resume -c') dyn=contexts ;;
    'rotate:sign --adapter') words=$'server-acme\nacme\ncommand\nmanual' ;;
    'rotate:sign --cert') dyn=certs ;;
    'rotate:sign --context'|'rotate:sign -c') dyn=contexts ;;
    'rotate:sign --cs-context') dyn=contexts ;;
    'rotate:sign --server') dyn=servers ;;
    'rotate:status --context'|'rotate:status -c') dyn=contexts ;;
    'sandbox:ca:revoke --context'|'sandbox:ca:revoke -c') dyn=contexts ;;
    'sandbox:ca:sign --usage') words=$'auth\nsign' ;;
    'sandbox:ca:sign --context'|'sandbox:ca:sign -c') dyn=contexts ;;
    'sandbox:clock --context'|'sandbox:clock -c') dyn=contexts ;;
    'sandbox:env --context'|'sandbox:env -c') dyn=contexts ;;
    'sandbox:fault:add --corrupt') words=$'truncated\ninvalid-json\nhtml-200\nschema' ;;
    'sandbox:fault:add --context'|'sandbox:fault:add -c') dyn=contexts ;;
    'sandbox:fault:clear --context'|'sandbox:fault:clear -c') dyn=contexts ;;
    'sandbox:fault:list --context'|'sandbox:fault:list -c') dyn=contexts ;;
    'sandbox:reset --context'|'sandbox:reset -c') dyn=contexts ;;
    'sandbox:start --preset') words=$'blank\nempty\ninitialized' ;;
    'sandbox:start --context'|'sandbox:start -c') dyn=contexts ;;
    'sandbox:status --context'|'sandbox:status -c') dyn=contexts ;;
    'sandbox:stop --context'|'sandbox:stop -c') dyn=contexts ;;
    'server:info --context'|'server:info -c') dyn=contexts ;;
    'service:add-description --type') words=$'WSDL\nOPENAPI3\nREST' ;;
    'service:add-description --context'|'service:add-description -c') dyn=contexts ;;
    'service:disable --context'|'service:disable -c') dyn=contexts ;;
    'service:enable --context'|'service:enable -c') dyn=contexts ;;
    'service:list --context'|'service:list -c') dyn=contexts ;;
    'service:refresh --context'|'service:refresh -c') dyn=contexts ;;
    'service:set --context'|'service:set -c') dyn=contexts ;;
    'tls:csr --context'|'tls:csr -c') dyn=contexts ;;
    'tls:keygen --context'|'tls:keygen -c') dyn=contexts ;;
    'token:list --context'|'token:list -c') dyn=contexts ;;
    'token:login --context'|'token:login -c') dyn=contexts ;;
    'token:logout --context'|'token:logout -c') dyn=contexts ;;
    'validate --context'|'validate -c') dyn=contexts ;;
  esac
  if [[ -n "$dyn" ]]; then
    words="$("${COMP_WORDS[0]}" __complete "$dyn" ${ctx:+"--context=$ctx"} "${mfs[@]/#/--manifest=}" 2>/dev/null)"
    [[ -z "$words" ]] && return 0
  fi
  if [[ -n "$words" ]]; then
    COMPREPLY=( $(compgen -W "$words" -- "$c") )
    (( ${#COMPREPLY[@]} )) && COMPREPLY=( $(printf '%q\n' "${COMPREPLY[@]}") )
  else
    compopt -o filenames 2>/dev/null
    COMPREPLY=( $(compgen -f -- "$cur") )
  fi
}

_xrdctl() {
  local cur prev node="" w i value="" argn=0 subs flags vflags nargs ctx="" mfs=()
  COMPREPLY=()
  cur="${COMP_WORDS[COMP_CWORD]}"
  prev="${COMP_WORDS[COMP_CWORD-1]}"
  # --flag=value arrives as '--flag' '=' 'value' (COMP_WORDBREAKS)
  if [[ "$cur" == "=" ]]; then cur=""; fi
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="${COMP_WORDS[i]}"
    [[ "$w" == "=" ]] && continue
    if [[ -n "$value" ]]; then
      # the line's context and manifests, for the values asked of xrdctl
      case "$value" in -c|--context) ctx="$w" ;; -f|--manifest) mfs+=("$w") ;; esac
      value=""; continue
    fi
    case "$w" in
      --*=*) ;;
      -*) _xrdctl_node "$node"; [[ "$vflags" == *" $w "* ]] && value="$w" ;;
      *)
        if (( argn == 0 )) && _xrdctl_node "${node:+$node:}$w"; then
          node="${node:+$node:}$w"
        else
          argn=$((argn + 1))
        fi
        ;;
    esac
  done
  _xrdctl_node "$node" || return 0
  # the value of a flag: --usage <TAB>, --usage=<TAB>, --usage=si<TAB>
  if [[ "${COMP_WORDS[COMP_CWORD]}" == "=" ]]; then
    [[ "$vflags" == *" $prev "* ]] && { _xrdctl_values "$node" "$prev"; return 0; }
  elif [[ "$prev" == "=" ]] && (( COMP_CWORD >= 2 )); then
    w="${COMP_WORDS[COMP_CWORD-2]}"
    [[ "$vflags" == *" $w "* ]] && { _xrdctl_values "$node" "$w"; return 0; }
  elif [[ -n "$value" ]]; then
    _xrdctl_values "$node" "$value"
    return 0
  fi
  if [[ "$cur" == -* ]]; then
    COMPREPLY=( $(compgen -W "$flags" -- "$cur") )
  elif [[ -n "$subs" ]] && (( argn == 0 )); then
    COMPREPLY=( $(compgen -W "$subs" -- "$cur") )
  elif (( argn < nargs )); then
    _xrdctl_values "$node" "#$argn"
  fi
  return 0
}
complete -F _xrdctl xrdctl
