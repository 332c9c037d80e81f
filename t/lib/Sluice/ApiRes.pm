package Sluice::ApiRes;

# Copyright (C) 2026, The Sluice authors.

=head1 NAME

Sluice::ApiRes - shared set-up of the resource API suites (t/020-024)

=head1 SYNOPSIS

    my $t = Test::Sluice->new();
    my $oa = Sluice::ApiRes::openapi();     # or skip_all
    Sluice::ApiRes::config($t, transition => '0s');
    $t->run();

    my $r = $t->api(PUT => 'assets/a1', { properties => {} });
    is(Sluice::ApiRes::code($r), 'BadRequest', ...);
    my $done = Sluice::ApiRes::poll($t, $r);    # follows an LRO

=head1 FUNCTIONS

C<config($t, %o)> writes nginx.conf: 2 workers, the API on
%%PORT_8080%%, C<sluice_preview_url https://127.0.0.1:%%PORT_8443%%>,
C<sluice_transition_time> C<$o{transition}> (default 0s), extra http
lines C<$o{http}>.

C<openapi()> returns a L<Sluice::OpenAPI> or skips the whole file.

C<code($r)> the ARM error code of a response ('' if none).

C<rel($url)> an absolute URL of a response header as (path, undef,
query => ...) for C<< $t->api >>.

C<poll($t, $r, $timeout)> polls the Azure-AsyncOperation of $r until
it is not InProgress; returns its final JSON.

C<kill9($t)> kills the master and its workers with SIGKILL.

=cut

use strict;
use warnings;

use Test::More ();

use Sluice::OpenAPI;

sub config {
    my ($t, %o) = @_;

    my $tr = $o{transition} // '0s';
    my $http = $o{http} // '';

    $t->write_sluice_conf(threads => 0, ingest => 0, packager => 0,
        sluice => <<"EOF");
sluice_zone sluice 8m;
sluice_data_path data;
sluice_api_key %%API_KEY%%;
sluice_preview_url https://127.0.0.1:%%PORT_8443%%;
sluice_transition_time $tr;
$http
EOF
}

sub openapi {
    my $oa = Sluice::OpenAPI->new();
    Test::More::plan(skip_all => Sluice::OpenAPI->why()) unless $oa;
    return $oa;
}

sub code {
    my ($r) = @_;
    return $r->{json} && ref $r->{json} eq 'HASH' && $r->{json}{error}
        ? $r->{json}{error}{code} // '' : '';
}

sub rel {
    my ($url) = @_;
    my ($path, $q) = ($url // '') =~ m{^https?://[^/]+(/[^?]*)\?(.*)$};
    return ($path, undef, query => $q);
}

sub poll {
    my ($t, $r, $timeout) = @_;

    my $url = $r->{headers}{'azure-asyncoperation'} or return undef;
    my $last;

    $t->wait_for(sub {
        my $p = $t->api(GET => rel($url));
        $last = $p->{json};
        return $last && $last->{status} && $last->{status} ne 'InProgress';
    }, $timeout // 10, 0.2);

    return $last;
}

sub kill9 {
    my ($t) = @_;

    my $master = $t->pid() or return 0;
    my @workers = grep { /^\d+$/ }
        map { (split ' ', $_)[0] } `ps -o pid= --ppid $master`;
    kill 'KILL', $master, @workers;
    $t->wait_for(sub { !kill(0, $master) && !grep { kill(0, $_) } @workers },
        5);
    return 1;
}

1;
