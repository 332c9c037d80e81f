#!/usr/bin/perl

# RTMP ingest across nginx restarts: a reload while publishing (the old
# worker keeps the publisher, fragments keep coming), then kill -9 of the
# worker holding the publisher (its tracks are left ACTIVE with a dead
# owner: a new publisher of the same stream is accepted, the timeline
# continues after what is stored, the index is still served).

use strict;
use warnings;

use Test::More;
use IPC::Run ();
use Time::HiRes qw(time sleep);

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;

my $t = Test::Sluice->new();
$t->has_program('ffmpeg', 'ffprobe');

$t->write_sluice_conf(app_pool => 0);

$t->expect_errors(qr/exited on signal 9/);

$t->run();

my $dir = $t->testdir;
my $rtmp = 'rtmp://127.0.0.1:' . $t->port(1935);
my $tok = '31313131313131313131313131313131';

my $loc = create_event('restart1', $tok);
ok($loc, 'restart1 running') or BAIL_OUT('no live event');

my $av = Sluice::Ingest::fixture('av', duration => 5, gop => 2);

my $p1 = $t->publish(input => $av, loop => 1, url => "$rtmp/live/$tok/s");

my $vdir = $t->wait_for(sub {
    my @d = grep { -f "$_/init0.mp4" && video($_) } glob("$dir/data/live/*/1/*");
    return unless @d;
    my @f = times_of($d[0]);
    return @f >= 2 ? $d[0] : undef;
}, 20);
ok($vdir, 'fragments before the reload') or BAIL_OUT('no fragments');

# the thread pool default: "sluice" is declared, no warning

unlike($t->read_file('error.log'), qr/written synchronously/,
    'default thread pool "sluice" used');

###############################################################################
# reload: the old worker keeps the publisher

my $n0 = times_of($vdir);

ok($t->reload(), 'reloaded');

ok($t->wait_for(sub { times_of($vdir) >= $n0 + 2 }, 15),
    'fragments keep coming after the reload');
ok($t->publisher_running($p1), 'publisher kept across the reload');

###############################################################################
# kill -9 of the worker holding the publisher

my ($pid) = $t->read_file('error.log')
    =~ /\[info\] (\d+)#\d+: \*\d+ sluice: "s" publishing to live event/;
ok($pid && kill(0, $pid), "ingest worker $pid alive");

my @before = sort { $a <=> $b } times_of($vdir);

kill 'KILL', $pid;

ok($t->wait_for(sub { !$t->publisher_running($p1) }, 15), 'publisher cut off');
$t->stop_publisher($p1);

my $p2 = $t->publish(input => $av, loop => 1, url => "$rtmp/live/$tok/s");

ok($t->wait_for(sub { times_of($vdir) >= @before + 2 }, 20),
    'a new publisher of the same stream is accepted');

my $log = $t->read_file('error.log');
unlike($log, qr/publish refused/, 'not refused');
like($log, qr/sluice: "s" reconnected/, 'reconnect logged');

my @after = sort { $a <=> $b } times_of($vdir);
my @new = @after[scalar @before .. $#after];

ok(@new && $new[0] > $before[-1], 'timeline continues after the stored end')
    or diag(explain(\@before, \@after));
ok(@new && $new[0] - $before[-1] < 15 * 90000,
    'and close to it (no more than the outage)')
    or diag(explain(\@before, \@after));

my $m = $t->get("/$loc/preview.ism/manifest(format=m3u8-cmaf)");
is($m->{status}, 200, 'index still served');

$t->stop_publisher($p2);

done_testing();

###############################################################################

sub create_event {
    my ($name, $token) = @_;

    my $all = [ { name => 'all', address => '0.0.0.0',
                  subnetPrefixLength => 0 } ];

    my $r = $t->api(PUT => "liveEvents/$name", {
        location => 'westus',
        properties => {
            input => {
                streamingProtocol => 'RTMP',
                accessToken => $token,
                keyFrameIntervalDuration => 'PT2S',
                accessControl => { ip => { allow => $all } },
            },
            preview => { accessControl => { ip => { allow => $all } } },
            encoding => { encodingType => 'PassthroughBasic' },
        },
    });

    return unless $r->{status} =~ /^20[012]$/;

    $t->wait_for(sub { $t->live_event_state($name) eq 'Stopped' }, 20) or return;

    $r = $t->api(POST => "liveEvents/$name/start", {});
    return unless $r->{status} =~ /^20[02]$/;

    $t->wait_for(sub { $t->live_event_state($name) eq 'Running' }, 20) or return;

    my $g = $t->api(GET => "liveEvents/$name");
    return $g->{json}{properties}{preview}{previewLocator};
}

sub video {
    my $p = Sluice::Ingest::ffprobe_json("$_[0]/init0.mp4") // {};
    return ($p->{streams}[0]{codec_type} // '') eq 'video';
}

sub times_of {
    return map { /(\d+)\.m4s$/ ? $1 : () } glob("$_[0]/*.m4s");
}
