#!/usr/bin/perl

# Recording on a full disk: the data directory is a small tmpfs, filled
# while a live output records.  Writes fail with a clear log line (once
# per burst), the publisher stays, nothing already recorded is lost (the
# asset's records before the fill keep their files and decode), and when
# space returns writes and recording resume (log lines) into the same
# index.  Needs root (mount -t tmpfs); skipped otherwise.

use strict;
use warnings;

use Test::More;
use IPC::Run ();
use Time::HiRes qw(sleep time);

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;
use Sluice::Record;

my $t = Test::Sluice->new();
$t->has_program('ffmpeg', 'ffprobe');

my $dir = $t->testdir;
my $data = "$dir/data";
my $mounted;

mkdir $data or die "$data: $!";

if ($> != 0
    || system('mount', '-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', $data) != 0)
{
    $t->skip_all('cannot mount a tmpfs (needs root)');
}

$mounted = 1;

END {
    system('umount', '-l', $data) if $mounted;
}

Sluice::Record::config($t, ring => 4);
$t->expect_errors(qr/No space left on device/);
$t->run();

my $url = Sluice::Record::event($t, 'full', 'd' x 32);
ok($url, 'live event running') or BAIL_OUT('no live event');

my $id = Sluice::Record::asset($t, 'dvr');
ok(Sluice::Record::output($t, 'full', 'o', 'dvr', 'PT1M'), 'output');

my $adir = "$data/assets/$id";

my $av = Sluice::Ingest::fixture('av', duration => 10, gop => 2,
    size => '320x180', vbitrate => '300k', abitrate => '64k');

my $pub = $t->publish(input => $av, loop => 1, url => "$url/s");

ok($t->wait_for(sub { nvideo() >= 4 }, 40), 'recording');

my ($v0) = video();
my @kept = @{$v0->{records}};

###############################################################################
# the disk fills up for 12 s

my $log0 = length($t->read_file('error.log') // '');

my $filler = "$data/filler";
fill($filler);

my $start = time;
while (time - $start < 12) {
    fill($filler);      # take back what trimming and eviction free
    sleep 0.3;
}

my $log = substr($t->read_file('error.log') // '', $log0);
my @enospc = $log =~ /^.*No space left on device.*$/mg;
my @live =
    grep { /sluice: \S+ "[^"]+" failed, (fragment|init segment) dropped/ }
    @enospc;
my @rec = grep { /sluice: recording: / } @enospc;

ok(@live || @rec, 'write failures logged') or diag($log);
ok(@live <= 3, 'live write failures: one line per 10 s burst')
    or diag(join("\n", @live));
ok(@rec <= 3, 'recording failures: one line per 10 s burst')
    or diag(join("\n", @rec));
like($enospc[0] // '', qr/\[error\].*"\Q$data\E\/[^"]+"/,
    'the line names the file');
ok(publisher_alive($pub), 'publisher kept');

my $nfull = nvideo();

# nothing recorded before is lost
my ($v1) = video();
my %have = map { $_->{time} => 1 } @{$v1->{records}};
is(scalar(grep { !$have{$_->{time}} } @kept), 0,
    'records before the fill kept');
is(scalar(grep { !-e "$v1->{dir}/$_->{time}.m4s" } @kept), 0,
    'their files kept');
is((-s "$v1->{dir}/index") % 32, 0, 'index of whole records');
ok(decode($v1, \@kept)->{ok}, 'what was recorded decodes');

###############################################################################
# space returns

unlink $filler;

ok($t->wait_for(sub { nvideo() >= $nfull + 3 }, 30), 'recording resumes');

$log = substr($t->read_file('error.log') // '', $log0);
like($log, qr/sluice: (writes|recording) of track \d+ of live event \S+ res/,
    'resume logged');

my $from = $t->log_offset();
$t->stop_publisher($pub);
ok($t->wait_log(qr/"s" stops publishing to live event "full"/,
    from => $from), 'the publisher left');

my ($v2) = video();
my $r = $v2->{records};
ok(increasing($r), 'index still in order');

# the window of the asset (PT1M) decodes, gap included
my $end = $r->[-1]{time} + $r->[-1]{duration};
my @win = grep { $_->{time} + $_->{duration} > $end - 60 * 90000 } @$r;
is(scalar(grep { !-e "$v2->{dir}/$_->{time}.m4s" } @win), 0,
    'files of the window present');
my $p = decode($v2, \@win);
ok($p->{ok}, 'asset decodes after the disk was full') or diag($p->{err});

$t->stop();
system('umount', $data) == 0 and $mounted = 0;

done_testing();

###############################################################################

sub video {
    return grep { $_->{type} eq 'video' } Sluice::Record::slots($adir);
}

sub nvideo {
    my ($v) = video();
    return $v ? scalar @{$v->{records}} : 0;
}

sub fill {
    my ($f) = @_;

    open my $fh, '>>:raw', $f or return;
    my $chunk = "\0" x 16384;
    while (syswrite($fh, $chunk)) { }
    close $fh;
}

sub publisher_alive {
    my ($p) = @_;
    my $h = $p->{handle} or return 0;
    eval { $h->pump_nb() };
    return $h->pumpable() ? 1 : 0;
}

sub increasing {
    my ($r) = @_;

    for my $i (1 .. $#$r) {
        return 0 if $r->[$i]{time} <= $r->[$i - 1]{time}
            || $r->[$i]{seq} <= $r->[$i - 1]{seq};
    }

    return 1;
}

sub decode {
    my ($s, $recs) = @_;

    my $file = "$dir/decode.mp4";
    open my $out, '>:raw', $file or die "$file: $!";

    my $init = -1;

    for my $rec (@$recs) {
        if ($rec->{init} != $init) {
            $init = $rec->{init};
            print $out $t->read_file("$s->{dir}/init$init.mp4") // '';
        }
        print $out $t->read_file("$s->{dir}/$rec->{time}.m4s") // '';
    }

    close $out;

    my ($o, $e) = ('', '');
    IPC::Run::run([ 'ffprobe', '-v', 'error', '-count_frames',
        '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', $file ],
        '<', \undef, '>', \$o, '2>', \$e, IPC::Run::timeout(60));

    my ($frames) = $o =~ /(\d+)/;
    return { ok => ($e eq '' && $frames), frames => $frames // 0,
             err => $e };
}
