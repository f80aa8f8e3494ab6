export default function LaunchPage() {
  return <p>Launch</p>;
}
