#!/usr/bin/perl

# Archive index records are shown once they are on stable storage
# (docs/architecture.md, "Durability"): with a shim (t/shim/, LD_PRELOAD)
# that makes every fdatasync() of an asset's index file take 1.5 s, a
# record appended to the index is not listed by the live asset's
# manifests while its sync waits, and is listed once it is synced.

use strict;
use warnings;

use Test::More;
use Cwd ();

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;
use Sluice::Ingest;
use Sluice::Playback;
use Sluice::Record;

my $t = Test::Sluice->new();
$t->has_program('ffmpeg', 'gcc');

my $dir = Cwd::realpath($t->testdir);
my $shim = "$dir/slow_index_sync.so";

system('gcc', '-shared', '-fPIC', '-O2', '-o', $shim,
       "$FindBin::Bin/shim/slow_index_sync.c", '-ldl') == 0
    or BAIL_OUT('cannot build the shim');

Sluice::Playback::config($t);

{
    # the nginx processes only (workers are forked: they keep it); ASan's
    # runtime must come first in the list of a sanitizer build
    my @pre = ($shim);
    if ($ENV{SLUICE_SANITIZE}) {
        my ($asan) = `ldd $t->{nginx}` =~ m{(/\S*/libasan\.so[.\d]*)};
        unshift @pre, $asan if $asan;
    }
    local $ENV{LD_PRELOAD} = join(' ', @pre);
    $t->run();
}

my $token = '0123456789abcdef0123456789abcdef';

ok(Sluice::Playback::start_endpoint($t, 'default'), 'endpoint runs');
ok($t->create_live_event('ev1', token => $token), 'ev1 running')
    or BAIL_OUT('no live event');

my $paths = Sluice::Playback::record($t, 'ev1', 'o1', 'a1', 'loc1');
my ($smooth) = @{ $paths->{SmoothStreaming} // [] };
ok($smooth, 'the locator has a Smooth path') or BAIL_OUT('no paths');

my $asset_id = $t->api(GET => 'assets/a1')->{json}{properties}{assetId};

my $pub = $t->publish(
    input => Sluice::Ingest::fixture('av', duration => 8, gop => 2),
    loop => 1,
    url => 'rtmp://127.0.0.1:' . $t->port(1935) . "/live/$token/stream");

ok(Sluice::Playback::wait_fragments($t, $smooth, 2), 'two fragments');

my ($v) = grep { $_->{type} eq 'video' }
    Sluice::Record::slots("$dir/data/assets/$asset_id");
ok($v, 'the video slot of the asset') or BAIL_OUT('no video slot');

my $index = "$v->{dir}/index";
my $scale = $v->{timescale} || 90000;

# the start (s) of the newest fragment the live asset's manifest lists

sub listed {
    my @f = Sluice::Playback::smooth_fragments($t->get($smooth)->{body});
    return @f ? $f[-1][0] : -1;
}

for my $round (1 .. 3) {
    my $n0 = int((-s $index // 0) / Sluice::Record::rec_size());

    # a record appended: its fdatasync() takes 1.5 s from now on
    ok($t->wait_for(sub {
        int((-s $index // 0) / Sluice::Record::rec_size()) > $n0
    }, timeout => 10, interval => 0.01), "round $round: a record appended");

    my $recs = Sluice::Record::records($index);
    my $newest = $recs->[-1]{time} / $scale;
    my $seen = listed();

    ok($seen >= 0 && $seen < $newest - 0.01,
       "round $round: not listed while its sync waits "
       . "(listed up to $seen s, the record at $newest s)");

    ok($t->wait_for(sub { listed() >= $newest - 0.01 }, timeout => 10,
                    interval => 0.05),
       "round $round: listed once synced");
}

# the newest fragment of the live asset's Smooth manifest: its request
# waits until the record after it is synced and shown, and its tfrf box
# announces that one

{
    my $body = $t->get($smooth)->{body} // '';
    my ($u) = $body =~ /<StreamIndex\b[^>]*Type="video"[^>]*Url="([^"]+)"/;
    my ($br) = $body =~ /Type="video".*?<QualityLevel\b[^>]*Bitrate="(\d+)"/s;
    my @f = Sluice::Playback::smooth_fragments($body);
    my ($last, $d) = map { int($_ * 10_000_000 + 0.5) } @{ $f[-1] // [] };
    (my $base = $smooth) =~ s{/manifest$}{};

    if (defined $u && defined $last) {
        $u =~ s/\{bitrate\}/$br/i;
        $u =~ s/\{start time\}/$last/i;
        my $r = $t->get("$base/$u");
        my $at = index($r->{body} // '',
                       pack('H*', 'd4807ef2ca3946958e5426cb9e46a79f'));
        my $n = $at > 0 ? unpack('C', substr($r->{body}, $at + 20, 1)) : 0;
        ok($r->{status} == 200 && $n >= 1,
           "newest fragment of the live asset: tfrf announces $n (>= 1)");
    } else {
        fail('newest fragment of the live asset');
    }
}

$t->stop_publisher($pub);

done_testing();
