#!/usr/bin/perl

# Asset slots follow the stream, not the live slot number: two streams
# recorded, nginx restarted (kill -9: a fresh zone, a new generation), the
# streams come back in the other order (so they get other live slots);
# each asset slot keeps its stream, media type and bitrate, its records
# keep increasing, and no slot is added.

use strict;
use warnings;

use Test::More;

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;
use Sluice::ApiRes;
use Sluice::Record;

my $t = Test::Sluice->new();
$t->has_program('ffmpeg', 'ffprobe');

Sluice::Record::config($t);
$t->run();

my $dir = $t->testdir;

my $url = Sluice::Record::event($t, 'slots', 'e' x 32);
ok($url, 'live event running') or BAIL_OUT('no live event');

my $id = Sluice::Record::asset($t, 'two');
ok(Sluice::Record::output($t, 'slots', 'o', 'two', 'PT10M'), 'output');
my $adir = "$dir/data/assets/$id";

my $a = Sluice::Ingest::fixture('av', duration => 10, gop => 2,
    size => '320x180', vbitrate => '300k', abitrate => '64k');
my $b = Sluice::Ingest::fixture('av', duration => 10, gop => 2,
    size => '256x144', vbitrate => '200k', abitrate => '64k', freq => 880);

# first "first", then "second" once the first has its slots

my $p1 = $t->publish(input => $a, loop => 1, url => "$url/first");
ok($t->wait_for(sub { n('first') >= 2 }, 30), 'first recorded');
my $p2 = $t->publish(input => $b, loop => 1, url => "$url/second");
ok($t->wait_for(sub { n('second') >= 3 && n('first') >= 4 }, 30),
    'second recorded');

my %before = map { $_->{slot} => { %$_ } } Sluice::Record::slots($adir);
is(scalar keys %before, 4, 'four slots');

Sluice::ApiRes::kill9($t);
$t->stop_publisher($_) for $p1, $p2;
$t->run();

ok($t->wait_for(sub { $t->live_event_state('slots') eq 'Running' }, 10),
    'Running after the restart');

# now "second" first: it takes the live slots 0 and 1

my %n0 = map { $_ => n($_) } qw(first second);

$p2 = $t->publish(input => $b, loop => 1, url => "$url/second");
ok($t->wait_for(sub { n('second') >= $n0{second} + 2 }, 30),
    'second recorded again');
$p1 = $t->publish(input => $a, loop => 1, url => "$url/first");
ok($t->wait_for(sub { n('first') >= $n0{first} + 2 }, 30),
    'first recorded again');

my $from = $t->log_offset();
$t->stop_publisher($_) for $p1, $p2;
ok($t->wait_log(qr/"(?:first|second)" stops publishing to live event/,
    from => $from, count => 2), 'both publishers left');

my @live = sort glob("$dir/data/live/*/*/*/init0.mp4");
ok(@live >= 8, 'two generations of live tracks');

my @after = Sluice::Record::slots($adir);
is(scalar @after, 4, 'still four slots');

for my $s (@after) {
    my $b4 = $before{$s->{slot}} // {};
    is("$s->{stream} $s->{type} $s->{bitrate}",
        "$b4->{stream} $b4->{type} $b4->{bitrate}",
        "slot $s->{slot}: same stream, media type and bitrate");
    ok(@{$s->{records}} > @{$b4->{records} // []},
        "slot $s->{slot}: recorded after the restart");
    ok(increasing($s->{records}), "slot $s->{slot}: records increasing");
    is(scalar(grep { !-e "$s->{dir}/$_->{time}.m4s" } @{$s->{records}}), 0,
        "slot $s->{slot}: every record has its file");
    is($s->{init_version}, 0, "slot $s->{slot}: same init (same bytes)");
}

$t->stop();

done_testing();

###############################################################################

# records of the video slot of a stream
sub n {
    my ($stream) = @_;
    my ($v) = grep { $_->{type} eq 'video' && $_->{stream} eq $stream }
        Sluice::Record::slots($adir);
    return $v ? scalar @{$v->{records}} : 0;
}

sub increasing {
    my ($r) = @_;

    for my $i (1 .. $#$r) {
        return 0 if $r->[$i]{time} <= $r->[$i - 1]{time}
            || $r->[$i]{seq} <= $r->[$i - 1]{seq};
    }

    return 1;
}
