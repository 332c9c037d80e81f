#!/usr/bin/perl

# A reload with a configuration that fails to load keeps the running one
# and its zone: a worker started afterwards (the master respawns a killed
# one) still finds the zone through ngx_sluice_shm_zone (ingest and
# packager use it), and the API state is intact.

use strict;
use warnings;

use Test::More;

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;

my $t = Test::Sluice->new();

sub config {
    my ($zone, $broken) = @_;

    $t->write_sluice_conf(workers => 1, threads => 0, ingest => 0,
        sluice => <<"EOF2",
sluice_zone sluice $zone;
sluice_data_path data;
sluice_api_key %%API_KEY%%;
EOF2
        tail => $broken ? "http { no_such_directive_here; }" : '');
}

config('8m', 0);
$t->run();

my $r = $t->api(PUT => 'liveEvents/ev1', {
    location => 'here',
    properties => { input => { streamingProtocol => 'RTMP' } },
}, query => 'autoStart=true');
is($r->{status}, 201, 'create');
my $locator = $r->{json}{properties}{preview}{previewLocator};

sub manifest {
    return $t->get("/$locator/preview.ism/manifest")->{status};
}

is(manifest(), 404, 'packager: known event, no media yet');

# a reload that fails (a second http block), with another zone size
$t->expect_errors(qr/"http" directive is duplicate|no_such_directive_here/);
config('9m', 1);
ok(!$t->reload(3), 'broken reload refused');

# a new worker forked by the master after the failed reload
sub worker_pids {
    my $master = $t->pid() or return ();
    return grep { /^\d+$/ } map { (split ' ', $_)[0] }
        `ps -o pid= --ppid $master`;
}

my @old = worker_pids();
ok(@old, 'a worker runs');
$t->expect_errors(qr/worker process \d+ exited on signal 9/);
kill 'KILL', @old;
ok($t->wait_for(sub {
    my @w = worker_pids();
    @w && !grep { my $o = $_; grep { $_ == $o } @w } @old }, 5),
    'worker respawned');

is(manifest(), 404, 'packager in the new worker still finds the zone');
$r = $t->api(GET => 'liveEvents/ev1');
is($r->{json}{properties}{resourceState}, 'Running', 'API state intact');

# and a good reload after that works
config('8m', 0);
ok($t->reload(), 'good reload');
is(manifest(), 404, 'packager after the good reload');

$t->done_testing();
