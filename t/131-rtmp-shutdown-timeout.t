#!/usr/bin/perl

# RTMP publishers and worker_shutdown_timeout (docs/directives.md,
# sluice_ingest): after a reload, nginx-rtmp keeps an encoder on the old
# worker, with the old configuration, for as long as it stays connected
# (t/031-ingest-restarts.t: the publisher is kept).  With nginx's
# worker_shutdown_timeout, once it runs out, Sluice closes the old
# worker's publishers (an info line each): the old worker exits, the
# encoder reconnects to a new worker and the timeline goes on after what
# is stored.

use strict;
use warnings;

use Test::More;

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;

my $t = Test::Sluice->new();
$t->has_program('ffmpeg', 'ffprobe');

$t->write_sluice_conf(app_pool => 0, main => 'worker_shutdown_timeout 2s;');
$t->run();

my $dir = $t->testdir;
my $rtmp = 'rtmp://127.0.0.1:' . $t->port(1935);
my $tok = '32323232323232323232323232323232';

my $loc = $t->create_preview_event('drain1', $tok);
ok($loc, 'drain1 running') or BAIL_OUT('no live event');

my $av = Sluice::Ingest::fixture('av', duration => 5, gop => 2);
my $p1 = $t->publish(input => $av, loop => 1, url => "$rtmp/live/$tok/s");

my $vdir = $t->wait_for(sub {
    my @d = grep { -f "$_/init0.mp4" && video($_) }
        glob("$dir/data/live/*/1/*");
    return unless @d;
    return times_of($d[0]) >= 2 ? $d[0] : undef;
}, 20);
ok($vdir, 'fragments before the reload') or BAIL_OUT('no fragments');

my ($pid) = $t->read_file('error.log')
    =~ /\[info\] (\d+)#\d+: \*\d+ sluice: "s" publishing to live event/;
ok($pid && kill(0, $pid), "the worker $pid holds the publisher");

my @before = sort { $a <=> $b } times_of($vdir);
my $from = $t->log_offset();

ok($t->reload(), 'reloaded');

# the old worker closes the publisher once the 2 s have run out, then
# exits; ffmpeg ends with its connection
ok($t->wait_for(sub { !kill(0, $pid)
                      || ($t->_proc_state($pid) // '') eq 'Z' }, 20),
    'the old worker exited') or diag(`ps -o pid,stat,cmd --ppid ${\$t->pid}`);
ok($t->wait_log(qr/sluice: "s" closed: worker_shutdown_timeout/,
                from => $from, timeout => 5),
    'the close is logged');
ok($t->wait_for(sub { !$t->publisher_running($p1) }, 15),
    'the publisher was disconnected');
$t->stop_publisher($p1);

# the encoder reconnects: to a worker of the new configuration
my $p2 = $t->publish(input => $av, loop => 1, url => "$rtmp/live/$tok/s");

ok($t->wait_for(sub { times_of($vdir) >= @before + 3 }, 20),
    'the reconnected publisher is accepted');

my ($pid2) = $t->_log_from($from)
    =~ /\[info\] (\d+)#\d+: \*\d+ sluice: "s" (?:publishing|reconnected)/;
ok($pid2 && $pid2 != $pid, "a new worker ($pid2) holds it");

my @after = sort { $a <=> $b } times_of($vdir);
my @new = grep { $_ > $before[-1] } @after;
ok(@new >= 2, 'the timeline goes on after what was stored')
    or diag(explain(\@before, \@after));

is($t->get("/$loc/preview.ism/manifest(format=m3u8-cmaf)")->{status}, 200,
    'the preview is served');

$t->stop_publisher($p2);
$t->stop();
$t->check_log();

done_testing();

###############################################################################

sub video {
    my $p = Sluice::Ingest::ffprobe_json("$_[0]/init0.mp4") // {};
    return ($p->{streams}[0]{codec_type} // '') eq 'video';
}

sub times_of {
    return map { /(\d+)\.m4s$/ ? $1 : () } glob("$_[0]/*.m4s");
}
